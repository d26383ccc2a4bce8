// @ts-check
// Mermaid, which /ui/mermaid.min.js puts on window (its bundle is a classic
// script, loaded before the page's modules run), set up in the page's colours
// and fonts (no web font: the page loads nothing from elsewhere).

/** @typedef {Window & typeof globalThis & { mermaid?: any }} WithMermaid */
const mermaid = () => /** @type {WithMermaid} */ (window).mermaid;

export function setUpMermaid() {
  mermaid()?.initialize({
    startOnLoad: false,
    securityLevel: 'strict',
    theme: 'base',
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    themeVariables: {
      fontSize: '13px',
      primaryColor: '#f1f5f9',
      primaryBorderColor: '#94a3b8',
      primaryTextColor: '#0f172a',
      lineColor: '#64748b',
      secondaryColor: '#f8fafc',
      tertiaryColor: '#ffffff',
      edgeLabelBackground: '#ffffff',
      compositeBackground: '#f8fafc',
      compositeTitleBackground: '#e2e8f0',
      altBackground: '#f8fafc',
      noteBkgColor: '#fefce8',
      noteBorderColor: '#e5e7a0',
    },
    state: { useMaxWidth: false },
  });
}

/** @returns {boolean} */
export const mermaidLoaded = () => Boolean(mermaid());

/**
 * The SVG of a diagram; `id` names the render (Mermaid builds the ids of the SVG's nodes from it).
 * @param {string} id @param {string} text
 * @returns {Promise<string>}
 */
export async function renderMermaid(id, text) {
  const { svg } = await mermaid().render(id, text);
  return svg;
}
