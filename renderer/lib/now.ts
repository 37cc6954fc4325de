// A shared clock for AGE columns: one timer for the whole UI, ticking once a second.
import { ref, type Ref } from 'vue';

let clock: Ref<Date> | undefined;
export function useNow(): Ref<Date> {
  if (!clock) {
    const c = ref(new Date());
    setInterval(() => (c.value = new Date()), 1000);
    clock = c;
  }
  return clock;
}
