/** Escaped HTML templates: every interpolated value goes through `html`, so nothing is injected. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** Trusted markup, produced only by the `html` tag. */
export class Markup {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Value = string | number | Markup | readonly Markup[] | undefined | null | false;

export function html(strings: TemplateStringsArray, ...values: Value[]): Markup {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new Markup(out);
}

function render(v: Value): string {
  if (v === undefined || v === null || v === false) return '';
  if (v instanceof Markup) return v.value;
  if (Array.isArray(v)) return v.map((m) => m.value).join('');
  return escapeHtml(String(v));
}
