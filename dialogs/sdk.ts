// The classes of botbuilder-dialogs that our dialogs build on, each from its own module. The
// package's index also loads every prompt it ships (dates, numbers with units, attachments...) and
// Microsoft's recognizers for all their cultures: about 60 MB of memory a process never uses, since
// our prompts are our own (dialogs/prompts) and our recognizers load only what they call
// (dialogs/recognizers). Types may still come from the package itself (`import type`): they
// cost nothing at run time. test/unit/boundaries.test.ts keeps the rule.
export { ComponentDialog } from 'botbuilder-dialogs/lib/componentDialog';
export { Dialog, DialogTurnStatus } from 'botbuilder-dialogs/lib/dialog';
export { DialogSet } from 'botbuilder-dialogs/lib/dialogSet';
export { WaterfallDialog } from 'botbuilder-dialogs/lib/waterfallDialog';
