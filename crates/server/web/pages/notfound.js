// Any path the app does not know.

import { h, pageTitle, replace } from '../dom.js';
import { t } from '../i18n.js';

/** Renders the not-found page into `view`. */
export function render(view) {
  replace(view, pageTitle(t('web-notfound-title')),
    h('p', { class: 'card', text: t('web-notfound-body') }),
    h('p', {}, h('a', { class: 'btn', href: '/', text: t('web-notfound-home') })));
}
