// Small DOM helpers shared by the admin view and its outcome form.

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className !== "") node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function option(value: string, label: string): HTMLOptionElement {
  const item = el("option", "", label);
  item.value = value;
  return item;
}
