// Renderer entry: Vue + Pinia + router + i18n.
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { router } from './router';
import { i18n } from './i18n';
import { takeTokenFromUrl } from './bridge';
import './styles/theme.css';

// before anything renders: the UI token leaves the address bar after its first use
takeTokenFromUrl();
document.documentElement.lang = i18n.global.locale.value;
createApp(App).use(createPinia()).use(router).use(i18n).mount('#app');
