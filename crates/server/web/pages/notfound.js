// Any path the app does not know.

import { h, pageTitle, replace } from '../dom.js';

/** Renders the not-found page into `view`. */
export function render(view) {
  replace(view, pageTitle('页面不存在'),
    h('p', { class: 'card', text: '没有找到这个页面。' }),
    h('p', {}, h('a', { class: 'btn', href: '/', text: '返回首页' })));
}
