// The built-in web chat: Microsoft's Web Chat on our local Direct Line endpoint.
// - The person keeps one random user id in this browser, so the bot remembers their language.
// - The page follows the bot's language: a reply in Arabic, Dari or Pashto turns it right to left.
//   The switch in the header changes it too (Web Chat then posts in that language, and the bot
//   answers in it).
// - The page's own words (title, header, loading, errors, connection lost) come in its data block,
//   in the eight languages (locales page.*).
// - Loading: this script runs before Web Chat's bundle has arrived (both deferred, this one first)
//   and starts the conversation meanwhile, so a slow connection waits once, not twice.
// - "Forget me on this computer" (the link, or the keyword: the bot then sends FORGET_EVENT) ends
//   the conversation on the server, clears what this browser keeps, and starts afresh.
// - The microphone button records a voice note in the browser (MediaRecorder) and sends it as an
//   attachment, as the upload button would: no file to pick. Pressed again, it stops and sends.
(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('page-data').textContent);
  var LANGUAGES = DATA.languages;
  var byCode = {};
  LANGUAGES.forEach(function (l) {
    byCode[l.code] = l;
  });
  // Web Chat's own locales; fa, ps and ti have none, so strings.json supplies their UI words.
  var WEBCHAT_LOCALE = {
    fr: 'fr-FR',
    en: 'en-US',
    ar: 'ar-SA',
    fa: 'fa-AF',
    ps: 'ps-AF',
    ti: 'ti-ER',
    ru: 'ru-RU',
    uk: 'uk-UA',
  };
  var FORGET_EVENT = 'passerelle/forget';
  var KEYS = ['passerelle.userId', 'passerelle.lang'];
  var DIRECT_LINE = '/v3/directline';

  function stored(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }
  function store(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (e) {
      /* private mode */
    }
  }
  function $(id) {
    return document.getElementById(id);
  }

  function randomId() {
    var bytes = new Uint8Array(18);
    window.crypto.getRandomValues(bytes);
    return (
      'wc_' + btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
    );
  }

  var params = new URLSearchParams(window.location.search);
  // The language: the link's (?lang=), the one chosen here before, else the browser's first one
  // we speak (fa-AF, prs: Dari); it goes with the token request, and the bot offers it for
  // confirmation in one digit ("دری / فارسی؟ 1 بلی / 2 زبان دیگر").
  function browserLanguage() {
    var tags = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
    var aliases = DATA.tagAliases; // other tags for our languages (prs: Dari), as the server reads them
    for (var i = 0; i < tags.length; i++) {
      var primary = String(tags[i] || '')
        .toLowerCase()
        .split(/[-_]/)[0];
      var code = byCode[primary] ? primary : aliases[primary];
      if (code) return code;
    }
    return 'fr';
  }
  var lang = byCode[params.get('lang')]
    ? params.get('lang')
    : byCode[stored('passerelle.lang')]
      ? stored('passerelle.lang')
      : browserLanguage();
  var userId = stored('passerelle.userId');
  if (!/^[A-Za-z0-9_-]{16,100}$/.test(userId || '')) {
    userId = randomId();
    store('passerelle.userId', userId);
  }

  var directLine,
    webChatStore,
    strings = {};
  var rendered = false;
  var forgetLink = $('forget');
  var languageSwitch = $('language');
  var stateBox = $('state'),
    stateText = $('state-text'),
    retryButton = $('retry'),
    connection = $('connection');
  var mic = $('mic'),
    micLabel = $('mic-label'),
    micNote = $('mic-note');
  var recorder = null;
  var words = function () {
    return byCode[lang].page;
  };

  // ---- the page's words and direction, in the page's language
  var shownState = 'loading';
  function applyLanguage() {
    var l = byCode[lang];
    document.documentElement.lang = lang;
    document.documentElement.dir = l.rtl ? 'rtl' : 'ltr';
    document.title = l.page.title;
    $('title').textContent = l.page.title;
    if (!languageSwitch.querySelector('option[value="' + lang + '"]')) listLanguages();
    languageSwitch.value = lang;
    languageSwitch.setAttribute('aria-label', l.page.language);
    languageSwitch.title = l.page.language;
    forgetLink.textContent = l.forget;
    stateText.textContent = l.page[shownState];
    retryButton.textContent = l.page.retry;
    connection.textContent = l.page.connectionLost;
    micLabel.textContent = recorder ? l.page.send : l.page.record;
    store('passerelle.lang', lang);
    window.history.replaceState(null, '', '?lang=' + lang);
  }

  /** Loading, or an error with its retry button, in place of the chat. */
  function showState(key, canRetry) {
    shownState = key;
    stateText.textContent = words()[key];
    retryButton.hidden = !canRetry;
    stateBox.hidden = false;
    stateBox.className = 'state' + (canRetry ? ' state--error' : '');
    if (canRetry) retryButton.focus();
  }

  // ---- forget me
  var forgetting = false;
  function forget() {
    if (forgetting) return;
    forgetting = true;
    var fresh = function () {
      KEYS.forEach(function (key) {
        try {
          window.localStorage.removeItem(key);
        } catch (e) {
          /* private mode */
        }
      });
      window.location.replace('/?lang=' + lang);
    };
    if (!directLine || !directLine.conversationId) return fresh();
    // Stop polling first (a poll of the ended conversation would fail), then end it on the server.
    var token = directLine.token,
      conversationId = directLine.conversationId;
    directLine.end();
    window.setTimeout(fresh, 3000); // the server does not answer: go anyway
    fetch(DIRECT_LINE + '/conversations/' + encodeURIComponent(conversationId) + '/activities', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
      body: JSON.stringify({ type: 'endOfConversation', from: { id: userId } }),
    }).then(fresh, fresh);
  }
  forgetLink.addEventListener('click', function (event) {
    event.preventDefault();
    forget();
  });

  // The switch lists every language, each in its own name and script (the page came with its own only).
  var listed = false;
  function listLanguages() {
    if (listed) return;
    listed = true;
    LANGUAGES.forEach(function (l) {
      if (l.code === lang && languageSwitch.querySelector('option[value="' + l.code + '"]')) return;
      var option = document.createElement('option');
      option.value = l.code;
      option.lang = l.code;
      option.textContent = l.name;
      languageSwitch.appendChild(option);
    });
    // in the order of LANGUAGES
    LANGUAGES.forEach(function (l) {
      languageSwitch.appendChild(languageSwitch.querySelector('option[value="' + l.code + '"]'));
    });
    languageSwitch.value = lang;
  }
  languageSwitch.addEventListener('focus', listLanguages);
  languageSwitch.addEventListener('pointerdown', listLanguages);

  languageSwitch.addEventListener('change', function () {
    if (!byCode[languageSwitch.value] || languageSwitch.value === lang) return;
    lang = languageSwitch.value;
    applyLanguage();
    if (rendered) render();
  });

  // ---- Web Chat
  // Markdown, as the bot writes it (renderer.ts: text escaped, emergency numbers as tel: links,
  // one paragraph a line). Web Chat's minimal bundle has no Markdown renderer of its own, and
  // its HTML goes into the page as it is: everything is escaped here, and the only markup made is
  // <p>, <br> and a link to call a short number.
  var PUNCTUATION_ESCAPE = /\\([!-/:-@[-`{-~])/g;
  var CALL = /\[([0-9\u0660-\u0669\u06F0-\u06F9]{2,6})\]\(tel:([0-9]{2,6})\)/g;
  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return '&#' + c.charCodeAt(0) + ';';
    });
  }
  function renderMarkdown(markdown) {
    return String(markdown)
      .split(/\n{2,}/)
      .map(function (paragraph) {
        var html = escapeHtml(paragraph)
          .replace(CALL, function (_, shown, number) {
            return '<a href="tel:' + number + '">' + shown + '</a>';
          })
          .replace(PUNCTUATION_ESCAPE, '$1')
          .replace(/\n/g, '<br>');
        return '<p>' + html + '</p>';
      })
      .join('');
  }

  function render() {
    var dir = byCode[lang].rtl ? 'rtl' : 'ltr';
    listLanguages();
    applyLanguage();
    stateBox.hidden = true;
    rendered = true;
    window.WebChat.renderWebChat(
      {
        directLine: directLine,
        store: webChatStore,
        userID: userId,
        locale: WEBCHAT_LOCALE[lang],
        dir: dir,
        overrideLocalizedStrings: strings[lang] || {},
        sendTypingIndicator: false,
        renderMarkdown: renderMarkdown,
        styleOptions: {
          // voice notes, photos of a paper, PDF: kept for the adviser
          hideUploadButton: false,
          bubbleFromUserBackground: '#dff0f7',
          // the options, one under the other, full width, easy to tap on a phone
          suggestedActionLayout: 'stacked',
          suggestedActionsStackedHeight: 10000, // never a scrolling box inside the transcript
          suggestedActionsStackedLayoutButtonTextWrap: true,
          suggestedActionHeight: 48,
          suggestedActionBorderRadius: 8,
          suggestedActionTextColor: '#0f4a63',
          suggestedActionBorderColor: '#1b5e7a',
          // ours first (each only for its own script: unicode-range); behind system-ui, chromium drew empty boxes for
          // Ethiopic
          primaryFont: '"Noto Sans Ethiopic", "Noto Sans Arabic", system-ui, sans-serif',
          rootHeight: '100%',
        },
      },
      $('webchat'),
    );
  }

  // The bot writes plain lines ("1. Ateliers", one option a line), not Markdown: shown as
  // Markdown they become a list that swallows the next line. Each line starts with a direction
  // mark for the reply's language (app.css: unicode-bidi: plaintext), so a French reply stays
  // left to right in a right-to-left page, and the other way round. A reply with phone links
  // comes as Markdown from the server (renderer.ts), one paragraph a line: the same marks.
  var LRM = '\u200E',
    RLM = '\u200F';
  function withDirectionMarks(activity, code) {
    if (activity.type !== 'message' || typeof activity.text !== 'string') return activity;
    var ours = activity.channelData && activity.channelData.passerelleLines === true;
    // the bot chose Markdown or XML
    if (activity.textFormat && activity.textFormat !== 'plain' && !ours) return activity;
    var mark = byCode[code] ? (byCode[code].rtl ? RLM : LRM) : '';
    var separator = ours ? '\n\n' : '\n';
    var text = activity.text
      .split(separator)
      .map(function (line) {
        return mark + line;
      })
      .join(separator);
    return Object.assign({}, activity, { textFormat: ours ? 'markdown' : 'plain', text: text });
  }

  // Follow the language of the bot's replies; watch the connection.
  var middleware = function () {
    return function (next) {
      return function (action) {
        if (action.type === 'DIRECT_LINE/INCOMING_ACTIVITY') {
          var activity = action.payload.activity;
          if (
            activity &&
            activity.type === 'event' &&
            activity.name === FORGET_EVENT &&
            activity.from &&
            activity.from.role === 'bot'
          ) {
            window.setTimeout(forget, 1500); // time to read the bot's last words
          } else if (activity && activity.from && activity.from.role === 'bot') {
            var code = typeof activity.locale === 'string' ? activity.locale.split('-')[0] : undefined;
            action = Object.assign({}, action, {
              payload: Object.assign({}, action.payload, { activity: withDirectionMarks(activity, code) }),
            });
            if (code && byCode[code] && code !== lang) {
              lang = code;
              window.setTimeout(render, 0);
            }
          }
        } else if (action.type === 'DIRECT_LINE/POST_ACTIVITY_REJECTED') {
          connectionLost();
        }
        return next(action);
      };
    };
  };

  // ---- the microphone
  var MAX_RECORDING_MS = 120000;
  function recordingType() {
    var types = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/mp4'];
    for (var i = 0; i < types.length; i++) if (window.MediaRecorder.isTypeSupported(types[i])) return types[i];
    return '';
  }
  // The name tells Web Chat the type it uploads (it guesses from the extension).
  function fileName(type) {
    return /ogg/.test(type) ? 'voice.ogg' : /mp4/.test(type) ? 'voice.m4a' : 'voice.weba';
  }
  function sendRecording(chunks, type) {
    var blob = new Blob(chunks, { type: type || 'audio/webm' });
    if (!blob.size || !webChatStore) return;
    webChatStore.dispatch({
      type: 'WEB_CHAT/SEND_FILES',
      payload: { files: [{ name: fileName(blob.type), size: blob.size, url: URL.createObjectURL(blob) }] },
    });
  }
  function setRecording(on) {
    mic.setAttribute('aria-pressed', on ? 'true' : 'false');
    micLabel.textContent = on ? words().send : words().record;
  }
  function startRecording() {
    micNote.hidden = true;
    navigator.mediaDevices
      .getUserMedia({ audio: true })
      .then(function (stream) {
        var type = recordingType();
        var chunks = [];
        recorder = new window.MediaRecorder(stream, type ? { mimeType: type } : undefined);
        recorder.addEventListener('dataavailable', function (e) {
          if (e.data && e.data.size) chunks.push(e.data);
        });
        recorder.addEventListener('stop', function () {
          stream.getTracks().forEach(function (track) {
            track.stop();
          });
          recorder = null;
          setRecording(false);
          sendRecording(chunks, type);
        });
        recorder.start();
        setRecording(true);
        window.setTimeout(function () {
          if (recorder && recorder.state === 'recording') recorder.stop();
        }, MAX_RECORDING_MS);
      })
      .catch(function () {
        micNote.textContent = words().micRefused;
        micNote.hidden = false;
      });
  }
  if (window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    mic.hidden = false;
    mic.addEventListener('click', function () {
      if (recorder && recorder.state === 'recording') recorder.stop();
      else if (!recorder) startRecording();
    });
  }

  // ---- the connection
  // Web Chat's Direct Line client stops polling, silently, after a failed poll (the server
  // restarted, the network went away). Its requests are watched here: an error or a 5xx shows
  // "connection lost" at once; the page then asks until the server answers, and goes on with the
  // same conversation, or a new one when the server no longer has it.
  var lost = false;
  function isOurs(url) {
    return typeof url === 'string' && url.indexOf(DIRECT_LINE) >= 0;
  }
  var open = XMLHttpRequest.prototype.open,
    send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.passerelleUrl = String(url);
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    if (isOurs(this.passerelleUrl)) {
      this.addEventListener('error', connectionLost);
      this.addEventListener('timeout', connectionLost);
      this.addEventListener('load', function () {
        if (this.status >= 500) connectionLost();
      });
    }
    return send.apply(this, arguments);
  };
  window.addEventListener('offline', connectionLost);

  function connectionLost() {
    if (lost || forgetting || !directLine) return;
    lost = true;
    connection.textContent = words().connectionLost;
    connection.hidden = false;
    window.setTimeout(probe, 1000);
  }

  function probe() {
    var wasOn = directLine;
    fetch(
      DIRECT_LINE +
        '/conversations/' +
        encodeURIComponent(wasOn.conversationId) +
        '/activities?watermark=' +
        encodeURIComponent(wasOn.watermark || ''),
      {
        headers: { Authorization: 'Bearer ' + wasOn.token },
      },
    )
      .then(function (r) {
        if (r.status >= 500) throw new Error('HTTP ' + r.status);
        lost = false;
        connection.hidden = true;
        var resume = r.ok
          ? { conversationId: wasOn.conversationId, token: wasOn.token, watermark: wasOn.watermark }
          : undefined;
        try {
          wasOn.end();
        } catch (e) {
          /* already stopped */
        }
        if (resume) {
          connect(resume, false);
          return;
        }
        // The server does not know the conversation any more (it restarted): a new one.
        rendered = false;
        start();
      })
      .catch(function () {
        window.setTimeout(probe, 3000);
      });
  }

  /**
   * Web Chat on a conversation this page started (fresh: a new transcript), or on the same one
   * again from where it was (after the connection came back).
   */
  function connect(conversation, fresh) {
    directLine = window.WebChat.createDirectLine({
      domain: window.location.origin + DIRECT_LINE,
      token: conversation.token,
      conversationId: conversation.conversationId,
      watermark: conversation.watermark,
      webSocket: false,
      pollingInterval: 200,
    });
    if (fresh || !webChatStore) webChatStore = window.WebChat.createStore({}, middleware);
    render();
  }

  // ---- start
  // A token for a new conversation. Many people behind one address (a training room) may have to
  // wait their turn: the server says how long (429, Retry-After).
  function requestToken(attempt) {
    return fetch(DIRECT_LINE + '/tokens/generate', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: { id: userId }, locale: WEBCHAT_LOCALE[lang] }),
    }).then(function (r) {
      if (r.status !== 429 || attempt >= 5) return r;
      var seconds = Math.min(60, Number(r.headers.get('Retry-After')) || 5);
      return new Promise(function (resolve) {
        window.setTimeout(resolve, seconds * 1000);
      }).then(function () {
        return requestToken(attempt + 1);
      });
    });
  }

  /** Web Chat's bundle has run (it comes after this script). */
  var webChatLoaded = new Promise(function (resolve) {
    if (window.WebChat) return resolve();
    document.addEventListener('DOMContentLoaded', function () {
      resolve();
    });
  });

  function failure(status) {
    if (status === 503 || status === 502 || status === 504) return 'restarting';
    if (status === 429) return 'busy';
    return 'cannotConnect';
  }

  function checked(r) {
    if (!r.ok) throw { status: r.status };
    return r.json();
  }
  function unreachable(err) {
    throw err && err.status ? err : { status: 0 };
  }

  // The token, then the conversation's start (the bot greets meanwhile), both while Web Chat's
  // bundle is still on its way: Web Chat then joins the conversation already started.
  function start() {
    showState('loading', false);
    var gotStrings = fetch(DATA.strings)
      .then(function (r) {
        return r.json();
      })
      .catch(function () {
        return {};
      });
    var started = requestToken(0)
      .then(checked)
      .then(function (given) {
        return fetch(DIRECT_LINE + '/conversations', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + given.token },
          body: JSON.stringify({ user: { id: userId }, locale: WEBCHAT_LOCALE[lang] }),
        })
          .then(checked)
          .then(function (conversation) {
            return {
              conversationId: conversation.conversationId || given.conversationId,
              token: conversation.token || given.token,
            };
          });
      })
      .catch(unreachable);
    return Promise.all([gotStrings, started, webChatLoaded])
      .then(function (all) {
        strings = all[0];
        if (!window.WebChat) throw { status: 0 };
        connect(all[1], true);
      })
      .catch(function (err) {
        showState(failure(err && err.status), true);
      });
  }
  retryButton.addEventListener('click', function () {
    // Web Chat's bundle itself did not come: only a new load of the page brings it.
    if (!window.WebChat && document.readyState !== 'loading') return window.location.reload();
    start();
  });

  applyLanguage();
  start();
})();
