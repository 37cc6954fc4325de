// vue-i18n with en and zh-CN: follows the system locale unless the user picked one.
import { createI18n } from 'vue-i18n';
import en from './en';
import zhCN from './zh-CN';

export type Locale = 'en' | 'zh-CN';
export const LOCALES: { id: Locale; label: string }[] = [
  { id: 'en', label: 'English' },
  { id: 'zh-CN', label: '简体中文' },
];

export function systemLocale(langs: readonly string[] = navigator.languages ?? [navigator.language]): Locale {
  return langs.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

export function initialLocale(): Locale {
  const forced = new URLSearchParams(location.search).get('lang') ?? localStorage.getItem('kubelab.locale');
  return forced === 'zh-CN' || forced === 'en' ? forced : systemLocale();
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'en',
  messages: { en, 'zh-CN': zhCN },
});

export function setLocale(l: Locale): void {
  i18n.global.locale.value = l;
  localStorage.setItem('kubelab.locale', l);
  document.documentElement.lang = l;
}
