// The built-in web chat: Microsoft's Web Chat on our local Direct Line endpoint.
// - The person keeps one random user id in this browser, so the bot remembers their language.
// - The page follows the bot's language: a reply in Arabic, Dari or Pashto turns it right to left.
// - "Forget me on this computer" (the link, or the keyword: the bot then sends FORGET_EVENT) ends
//   the conversation on the server, clears what this browser keeps, and starts afresh.
(function () {
  'use strict';
  var LANGUAGES = JSON.parse(document.getElementById('languages').textContent);
  var byCode = {};
  LANGUAGES.forEach(function (l) { byCode[l.code] = l; });
  // Web Chat's own locales; fa, ps and ti have none, so strings.json supplies their UI words.
  var WEBCHAT_LOCALE = { fr: 'fr-FR', en: 'en-US', ar: 'ar-SA', fa: 'fa-AF', ps: 'ps-AF', ti: 'ti-ER', ru: 'ru-RU', uk: 'uk-UA' };
  var FORGET_EVENT = 'passerelle/forget';
  var KEYS = ['passerelle.userId', 'passerelle.lang'];

  function stored(key) { try { return window.localStorage.getItem(key); } catch (e) { return null; } }
  function store(key, value) { try { window.localStorage.setItem(key, value); } catch (e) { /* private mode */ } }

  function randomId() {
    var bytes = new Uint8Array(18);
    window.crypto.getRandomValues(bytes);
    return 'wc_' + btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  var params = new URLSearchParams(window.location.search);
  var lang = byCode[params.get('lang')] ? params.get('lang') : (byCode[stored('passerelle.lang')] ? stored('passerelle.lang') : 'fr');
  var userId = stored('passerelle.userId');
  if (!/^[A-Za-z0-9_-]{16,100}$/.test(userId || '')) {
    userId = randomId();
    store('passerelle.userId', userId);
  }

  var directLine, webChatStore, strings = {};
  var forgetLink = document.getElementById('forget');

  // Ends the conversation here and on the server, forgets the person's id, and opens a fresh page.
  var forgetting = false;
  function forget() {
    if (forgetting) return;
    forgetting = true;
    var fresh = function () {
      KEYS.forEach(function (key) { try { window.localStorage.removeItem(key); } catch (e) { /* private mode */ } });
      window.location.replace('/?lang=' + lang);
    };
    if (!directLine || !directLine.conversationId) return fresh();
    // Stop polling first (a poll of the ended conversation would fail), then end it on the server.
    var token = directLine.token, conversationId = directLine.conversationId;
    directLine.end();
    window.setTimeout(fresh, 3000); // the server does not answer: go anyway
    fetch('/v3/directline/conversations/' + encodeURIComponent(conversationId) + '/activities', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
      body: JSON.stringify({ type: 'endOfConversation', from: { id: userId } }),
    }).then(fresh, fresh);
  }
  forgetLink.addEventListener('click', function (event) {
    event.preventDefault();
    forget();
  });

  function render() {
    var dir = byCode[lang].rtl ? 'rtl' : 'ltr';
    document.documentElement.lang = lang;
    document.documentElement.dir = dir;
    forgetLink.textContent = byCode[lang].forget;
    store('passerelle.lang', lang);
    window.history.replaceState(null, '', '?lang=' + lang);
    window.WebChat.renderWebChat(
      {
        directLine: directLine,
        store: webChatStore,
        userID: userId,
        locale: WEBCHAT_LOCALE[lang],
        dir: dir,
        overrideLocalizedStrings: strings[lang] || {},
        sendTypingIndicator: false,
        styleOptions: {
          // voice notes, photos of a paper, PDF: kept for the adviser
          hideUploadButton: false,
          bubbleFromUserBackground: '#dff0f7',
          suggestedActionLayout: 'flow',
          primaryFont: 'system-ui, "Noto Sans", "Noto Sans Arabic", "Noto Sans Ethiopic", sans-serif',
          rootHeight: '100%',
        },
      },
      document.getElementById('webchat')
    );
  }

  // The bot writes plain lines ("1. Ateliers", one option a line), not Markdown: shown as
  // Markdown they become a list that swallows the next line. Each line starts with a direction
  // mark for the reply's language (app.css: unicode-bidi: plaintext), so a French reply stays
  // left to right in a right-to-left page, and the other way round.
  var LRM = '\u200E', RLM = '\u200F';
  function asPlainLines(activity, code) {
    if (activity.type !== 'message' || typeof activity.text !== 'string') return activity;
    if (activity.textFormat && activity.textFormat !== 'plain') return activity; // the bot chose Markdown or XML
    var mark = byCode[code] ? (byCode[code].rtl ? RLM : LRM) : '';
    var text = activity.text.split('\n').map(function (line) { return mark + line; }).join('\n');
    return Object.assign({}, activity, { textFormat: 'plain', text: text });
  }

  // Follow the language of the bot's replies.
  var followLanguage = function () {
    return function (next) {
      return function (action) {
        if (action.type === 'DIRECT_LINE/INCOMING_ACTIVITY') {
          var activity = action.payload.activity;
          if (activity && activity.type === 'event' && activity.name === FORGET_EVENT && activity.from && activity.from.role === 'bot') {
            window.setTimeout(forget, 1500); // time to read the bot's last words
          } else if (activity && activity.from && activity.from.role === 'bot') {
            var code = typeof activity.locale === 'string' ? activity.locale.split('-')[0] : undefined;
            action = Object.assign({}, action, { payload: Object.assign({}, action.payload, { activity: asPlainLines(activity, code) }) });
            if (code && byCode[code] && code !== lang) {
              lang = code;
              window.setTimeout(render, 0);
            }
          }
        }
        return next(action);
      };
    };
  };

  // A token for a new conversation. Many people behind one address (a training room) may have to
  // wait their turn: the server says how long (429, Retry-After).
  function requestToken(attempt) {
    return fetch('/v3/directline/tokens/generate', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: { id: userId }, locale: WEBCHAT_LOCALE[lang] }),
    }).then(function (r) {
      if (r.status !== 429 || attempt >= 5) return r;
      var seconds = Math.min(60, Number(r.headers.get('Retry-After')) || 5);
      return new Promise(function (resolve) { window.setTimeout(resolve, seconds * 1000); }).then(function () { return requestToken(attempt + 1); });
    });
  }

  function start() {
    return fetch('/webchat/strings.json')
      .then(function (r) { return r.json(); })
      .then(function (s) {
        strings = s;
        return requestToken(0);
      })
      .then(function (r) {
        if (!r.ok) throw new Error('token: HTTP ' + r.status);
        return r.json();
      })
      .then(function (conversation) {
        directLine = window.WebChat.createDirectLine({
          domain: window.location.origin + '/v3/directline',
          token: conversation.token,
          webSocket: false,
          pollingInterval: 200,
        });
        webChatStore = window.WebChat.createStore({}, followLanguage);
        render();
      })
      .catch(function (err) {
        document.getElementById('webchat').textContent = 'Passerelle: ' + err.message;
      });
  }

  start();
})();
