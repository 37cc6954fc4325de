// The PORTS and ENDPOINTS cells of `kubectl get endpointslices` (upstream printers.go), shared by the API table and the UI list.
type Obj = Record<string, any>;

const listWithMore = (list: string[], more: boolean, count: number, max: number) =>
  more ? `${list.join(',')} + ${count - max} more...` : list.join(',') || '<unset>';

/** the PORTS cell: up to three port numbers (a name when the number is unset, `*` for all ports) */
export function formatDiscoveryPorts(ports: Obj[] | null | undefined): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const p of ports ?? []) {
    if (list.length < 3) list.push(p.port != null ? String(p.port) : p.name != null ? String(p.name) : '*');
    else more = true;
    count++;
  }
  return listWithMore(list, more, count, 3);
}

/** the ENDPOINTS cell: up to three addresses of any endpoint, ready or not */
export function formatDiscoveryEndpoints(endpoints: Obj[] | null | undefined): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ep of endpoints ?? []) {
    for (const a of ep.addresses ?? []) {
      if (list.length < 3) list.push(String(a));
      else more = true;
      count++;
    }
  }
  return listWithMore(list, more, count, 3);
}
