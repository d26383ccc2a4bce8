// @ts-check
// The two helpers every part of the live view builds with: find one of the
// page's elements, and make a new one.

/**
 * The page's element for `selector`; the page is static, so it is there.
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} selector
 * @returns {T}
 */
export const $ = (selector) => /** @type {T} */ (document.querySelector(selector));

/**
 * A new element: `class` and `text` set as such, `data-*`, `aria-*` and `role` as attributes, any other as a property.
 * @param {string} tag
 * @param {Record<string, any>} [props]
 * @param {(Node | string)[]} children
 */
export const el = (tag, props = {}, ...children) => {
  const node = /** @type {HTMLElement & Record<string, any>} */ (document.createElement(tag));
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('data-') || key.startsWith('aria-') || key === 'role') node.setAttribute(key, value);
    else node[key] = value;
  }
  node.append(...children);
  return node;
};
