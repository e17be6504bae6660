// The language server on its own, without the CLI around it: the entry that editors bundle
// (editors/vscode bundles it into the extension, so that the extension works with no hwy
// installed). `--node-ipc` talks over Node's IPC channel, anything else over stdio.
import { startServer } from './server.js';

startServer();
