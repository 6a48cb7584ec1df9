// aria-describedby holds a list of ids, and several modules describe the same passage
// (the landing note, the keyboard hint): each adds and removes only its own id.

export function describe(element, id) {
  const ids = (element.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
  if (!ids.includes(id)) element.setAttribute("aria-describedby", [...ids, id].join(" "));
}

export function undescribe(element, id) {
  const ids = (element.getAttribute("aria-describedby") || "").split(/\s+/).filter((each) => each && each !== id);
  if (ids.length) element.setAttribute("aria-describedby", ids.join(" "));
  else element.removeAttribute("aria-describedby");
}
