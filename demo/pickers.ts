/**
 * Image pickers: a bundled example, a file from the device, or a dropped file. Each pick is
 * decoded at once: a file that is not an image is refused then, with an error naming it, and the
 * picker keeps showing the last good image. The thumbnail, its alt text and the menu always show
 * what `state.images` holds.
 */
import { decodeImage } from '../src/io/decode.js';
import { $, clearError, explain, setError } from './dom.js';
import { changed, state, type ImageKey } from './state.js';

const EXAMPLES = ['chelsea.png', 'starry_night.jpg', 'the_scream.jpg', 'shipwreck.jpg', 'hubble_deep_field.jpg', 'rocket.jpg'];
const FILE_OPTION = '__file';

/** Fill the box #pick-KEY; `label` names the image in messages ("Content image"). */
export function makePicker(key: ImageKey, label: string, defaultExample: string | null): void {
  const box = $(`pick-${key}`);
  const img = document.createElement('img');
  img.className = 'thumb';
  img.hidden = true;
  const select = document.createElement('select');
  select.setAttribute('aria-label', `${label}: example images`);
  select.innerHTML =
    (defaultExample ? '' : '<option value="">none</option>') +
    EXAMPLES.map((e) => `<option value="${e}">${e}</option>`).join('') +
    `<option value="${FILE_OPTION}" hidden></option>`;
  const fileOption = select.querySelector<HTMLOptionElement>(`option[value="${FILE_OPTION}"]`)!;
  const fileButton = document.createElement('label');
  fileButton.className = 'button file-button';
  fileButton.textContent = 'Open a file…';
  const file = document.createElement('input');
  file.type = 'file';
  file.accept = 'image/*';
  file.className = 'visually-hidden';
  file.setAttribute('aria-label', `${label}: open an image file`);
  fileButton.append(file);
  const hint = document.createElement('p');
  hint.className = 'muted small';
  hint.textContent = 'or drop an image here';
  const row = document.createElement('div');
  row.className = 'picker-row';
  row.append(select, fileButton);
  box.append(img, row, hint);

  const show = () => {
    const p = state.images[key];
    img.hidden = !p;
    if (p) {
      img.src = p.url;
      img.alt = `${label}: ${p.name} (${p.width}×${p.height})`;
    }
    fileOption.hidden = p?.origin !== 'file';
    fileOption.textContent = p?.origin === 'file' ? `${p.name} (your file)` : '';
    select.value = p ? (p.origin === 'file' ? FILE_OPTION : p.name) : '';
    file.value = '';
  };

  const what = label.toLowerCase();
  let latest = 0;
  const pick = async (blob: () => Promise<Blob>, name: string, origin: 'example' | 'file') => {
    const mine = ++latest;
    state.loading.add(what);
    changed();
    try {
      const b = await blob();
      const bitmap = await decodeImage(`${label} ${name}`, b);
      const picked = { blob: b, name, origin, url: URL.createObjectURL(b), width: bitmap.width, height: bitmap.height };
      bitmap.close();
      if (mine !== latest) return;
      state.images[key] = picked;
      clearError(`pick-${key}`, 'run');
    } catch (e) {
      // the picker keeps the image before (a run uses it): say so, so the refused file is not taken for the one in use
      const kept = state.images[key];
      if (mine === latest) setError(`pick-${key}`, `${explain(e)}${kept ? ` The ${what} stays ${kept.name}.` : ''}`);
    } finally {
      if (mine === latest) {
        state.loading.delete(what);
        show();
        changed();
      }
    }
  };
  const example = (name: string) =>
    pick(async () => {
      const r = await fetch(`./${name}`);
      if (!r.ok) throw new Error(`${label} ${name}: the example could not be loaded (HTTP ${r.status}).`);
      return r.blob();
    }, name, 'example');

  select.onchange = () => {
    if (select.value === FILE_OPTION) return;
    if (select.value) return void example(select.value);
    latest++; // a pick still loading is superseded
    state.images[key] = null;
    state.loading.delete(what);
    clearError(`pick-${key}`);
    show();
    changed();
  };
  file.onchange = () => {
    const f = file.files?.[0];
    if (f) void pick(async () => f, f.name, 'file');
  };
  const locked = () => (box.closest('fieldset') as HTMLFieldSetElement | null)?.disabled ?? false;
  box.ondragover = (e) => {
    e.preventDefault();
    if (!locked()) box.classList.add('drag');
  };
  box.ondragleave = () => box.classList.remove('drag');
  box.ondrop = (e) => {
    e.preventDefault();
    box.classList.remove('drag');
    const f = e.dataTransfer?.files?.[0];
    if (f && !locked()) void pick(async () => f, f.name, 'file');
  };
  show();
  if (defaultExample) void example(defaultExample);
}
