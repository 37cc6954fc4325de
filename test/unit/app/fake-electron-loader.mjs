// `node --import ./fake-electron-loader.mjs out/main/index.js`: resolves 'electron' to fake-electron-main.mjs.
import { register } from 'node:module';

const fake = new URL('./fake-electron-main.mjs', import.meta.url).href;
const hooks = `export async function resolve(specifier, context, next) {
  return specifier === 'electron' ? { url: ${JSON.stringify(fake)}, shortCircuit: true } : next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
