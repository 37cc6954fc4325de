// Which IPC senders may talk to the lab: our own page, in the window's main frame. Everything else gets a 403.
import type { BridgeErrorShape } from '../bridge/contract';

/** The fields of Electron's WebFrameMain this check reads. */
export interface FrameLike {
  url: string;
  processId: number;
  routingId: number;
}

export interface IpcSender {
  /** the frame that sent the message; null once it navigated away or was destroyed */
  senderFrame: FrameLike | null;
  /** the top frame of the sending page */
  mainFrame: FrameLike;
}

export const FORBIDDEN_SENDER: BridgeErrorShape = {
  name: 'Forbidden',
  message: "forbidden: IPC from a frame that is not the lab's own page",
  status: 403,
  reason: 'Forbidden',
};

// compared by ids, not object identity: a frame's JS wrapper need not be the same object twice
const sameFrame = (a: FrameLike, b: FrameLike) => a.processId === b.processId && a.routingId === b.routingId;

/** undefined when the sender may call, else the error envelope to answer with. */
export function refuseSender(e: IpcSender, isOurs: (url: string) => boolean): { error: BridgeErrorShape } | undefined {
  const frame = e.senderFrame;
  if (!frame || !sameFrame(frame, e.mainFrame) || !isOurs(frame.url)) return { error: FORBIDDEN_SENDER };
  return undefined;
}
