// The `kubelab` command: subcommands dispatch from here (bin/kubelab.mjs runs it through tsx, no build step).
import { serveCommand } from './serve';
import { storeCommand } from './store';

const usage = `Usage: kubelab <command> [flags]

Commands:
  serve     run the lab headless: API for kubectl, UI for a browser (kubelab serve --help)
  store     repair a damaged store: kubelab store repair --data-dir DIR (kubelab store --help)
  help      show this help
`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'serve':
      return serveCommand(rest);
    case 'store':
      return storeCommand(rest);
    case undefined:
    case 'help':
    case '-h':
    case '--help':
      process.stdout.write(usage);
      return 0;
    default:
      process.stderr.write(`kubelab: unknown command "${cmd}"\n\n${usage}`);
      return 2;
  }
}
