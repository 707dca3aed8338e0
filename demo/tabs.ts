/** Tabs as assistive technology knows them: role=tab in a tablist, arrow keys, Home/End. */

export function setupTabs(tablist: HTMLElement): (tab: HTMLElement, focus?: boolean) => void {
  const tabs = [...tablist.querySelectorAll<HTMLElement>('[role=tab]')];
  const select = (tab: HTMLElement, focus = false) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute('aria-controls')!)!.hidden = !on;
    }
    // each view has its own introduction (the style-transfer one says nothing of kernels)
    for (const p of document.querySelectorAll<HTMLElement>('[data-intro-for]')) p.hidden = p.dataset.introFor !== tab.getAttribute('aria-controls');
    // what applies to one view only (style.css: the software adapter's note on the stylize defaults is not the Video tab's)
    document.body.dataset.view = tab.getAttribute('aria-controls') ?? '';
    if (focus) tab.focus();
  };
  tabs.forEach((t, i) => {
    t.onclick = () => select(t);
    t.onkeydown = (e) => {
      const to = ({ ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 } as Record<string, number>)[e.key];
      if (to === undefined) return;
      e.preventDefault();
      select(tabs[(to + tabs.length) % tabs.length], true);
    };
  });
  return select;
}
