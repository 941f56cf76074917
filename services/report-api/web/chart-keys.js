// @ts-check
/**
 * The timeline charts by keyboard: a focused chart moves its cursor point by point (← →, Home,
 * End), Shift extends a selection from where it started, Enter sets the window to the selection
 * (or to the point under the cursor), Esc drops the selection. What is under the cursor is read
 * out through a live region.
 */
export function keyboardSelection(target, { chart, points, announce, apply }) {
  let index = -1;
  let anchor = null;

  const range = () => {
    const from = Math.min(anchor ?? index, index);
    const to = Math.max(anchor ?? index, index);
    return { from, to };
  };

  function show() {
    const u = chart();
    const xs = u?.data[0];
    if (!u || !xs || index < 0) return;
    u.setCursor({ left: u.valToPos(xs[index], 'x'), top: 10 });
    const { from, to } = range();
    if (anchor === null) u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
    else {
      const left = u.valToPos(xs[from], 'x');
      const right = u.valToPos(xs[to] + points().bucketSeconds, 'x');
      u.setSelect({ left, width: Math.max(1, right - left), top: 0, height: u.over.clientHeight }, false);
    }
    announce(from, to, anchor !== null);
  }

  target.addEventListener('keydown', (event) => {
    const n = points().points.length;
    if (n === 0) return;
    const keys = { ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity };
    if (event.key in keys) {
      event.preventDefault();
      if (index < 0) index = n - 1;
      else {
        if (event.shiftKey && anchor === null) anchor = index;
        if (!event.shiftKey) anchor = null;
        index = Math.max(0, Math.min(n - 1, index + keys[event.key]));
      }
      show();
    } else if (event.key === 'Enter' && index >= 0) {
      event.preventDefault();
      const { from, to } = range();
      anchor = null;
      apply(from, to);
    } else if (event.key === 'Escape' && anchor !== null) {
      event.preventDefault();
      anchor = null;
      show();
    }
  });

  return {
    /** After new data: keep the cursor inside the points. */
    clamp() {
      const n = points().points.length;
      if (index >= n) index = n - 1;
      if (anchor !== null && anchor >= n) anchor = null;
    },
  };
}
