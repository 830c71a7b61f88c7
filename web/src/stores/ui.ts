/** Short messages shown to the person (the app's toasts), and the layout the window allows. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { ApiError } from '../api/http.js';
import { t } from '../i18n/index.js';

export interface Toast {
  id: number;
  text: string;
  kind: 'info' | 'error';
}

export const useUi = defineStore('ui', () => {
  const toasts = ref<Toast[]>([]);
  let next = 1;

  function toast(text: string, kind: Toast['kind'] = 'info', ms = 3000): void {
    const id = next++;
    toasts.value.push({ id, text, kind });
    setTimeout(() => (toasts.value = toasts.value.filter((x) => x.id !== id)), ms);
  }

  /** Shows what went wrong: the server's own text when it answered, a generic text otherwise. */
  function fail(e: unknown): void {
    if (e instanceof ApiError) toast(e.status >= 500 ? t('common.failed') : e.message, 'error', 5000);
    else toast(t('common.networkError'), 'error', 5000);
  }

  return { toasts, toast, fail };
});
