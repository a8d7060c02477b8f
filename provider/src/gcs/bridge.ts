/**
 * The host end of the GCS bridge: request/response RPCs over one byte stream, ported from hcsshim
 * v0.12.9 `internal/gcs/bridge.go`. Each RPC gets the next message ID (from 0); responses are
 * matched by ID; one read loop ends the bridge on the first protocol error, and every RPC still
 * waiting then fails with hcsshim's `bridge closed`. Error texts are hcsshim's, so they can be
 * searched for.
 */
import { formatHresult, hresultDescription, hresultName } from "../hcs/hresult";
import { log } from "../log/logger";
import { encodeMessage, MessageReader, type BridgeMessage } from "./framing";
import {
    MESSAGE_TYPE_MASK, MessageType, NOTIFY_CONTAINER, messageTypeName, rpcName, type RequestBase, type ResponseBase,
} from "./protocol";

/** The byte stream under a bridge: a Hyper-V socket, or a test's in-memory pipe. */
export interface BridgeTransport {
    /** The next bytes received; null at the end of the stream. */
    read(): Promise<Buffer | null>;
    write(data: Buffer): Promise<void>;
    /** Ends the stream both ways; a pending read then ends (null or an error). Idempotent. */
    close(): void;
}

/** `containerNotification`: the guest tells the host a container stopped. */
export interface ContainerNotification extends RequestBase {
    readonly Type?: string;
    readonly Operation?: string;
    readonly Result?: number;
    readonly ResultInfo?: unknown;
}

export interface BridgeOptions {
    /** `bridge.Timeout`: how long a synchronous RPC may wait for its response before the bridge is torn down. */
    readonly timeoutMs: number;
    /** Called for each container notification; an error ends the bridge (hcsshim's `notifyFunc`). */
    readonly notify?: (notification: ContainerNotification) => void;
    /** Names the bridge in logs (the compute-system ID). */
    readonly name?: string;
}

export interface RpcOptions {
    /**
     * hcsshim's `allowCancel`: when `signal` aborts, stop waiting and leave the response unread.
     * Only for messages that are idempotent or safe to ignore; the others wait for their response
     * (or the bridge timeout) whatever the signal says.
     */
    readonly allowCancel: boolean;
    readonly signal?: AbortSignal;
}

/** `net.ErrClosed`'s text, which hcsshim wraps in errBridgeClosed. */
const NET_ERR_CLOSED = "use of closed network connection";

/**
 * `errBridgeClosed`: the bridge ended before this RPC got its response. `cause` is why the bridge
 * ended, when it did not end by a clean close, so the message says it as well.
 */
export class BridgeClosedError extends Error {
    override readonly name = "BridgeClosedError";

    constructor(cause?: Error) {
        super(`bridge closed: ${NET_ERR_CLOSED}${cause ? ` (${cause.message})` : ""}`, cause ? { cause } : undefined);
    }
}

/**
 * `rpcError`: the guest answered with a failure `Result` (an HRESULT). hcsshim prints the guest's
 * ErrorMessage, or the Windows text of the code; we have no FormatMessage, so the code's name.
 */
export class GuestRpcError extends Error {
    override readonly name = "GuestRpcError";

    constructor(readonly rpc: string, readonly hresult: number, readonly errorMessage: string | undefined) {
        const text = errorMessage && errorMessage !== "" ? errorMessage :
            `${hresultName(hresult)} (${formatHresult(hresult)})${hresultDescription(hresult) ? `: ${hresultDescription(hresult)}` : ""}`;
        super(`guest RPC failure: ${text}`);
    }
}

interface Call {
    readonly proc: number;
    readonly resolve: (response: ResponseBase) => void;
    readonly reject: (error: Error) => void;
}

export class Bridge {
    private nextId = 0;
    private calls: Map<number, Call> | undefined = new Map();
    private closed = false;
    private bridgeError: Error | undefined;
    private sending: Promise<void> = Promise.resolve();
    private readonly ended: Promise<void>;
    private endBridge!: () => void;
    private readonly log;

    constructor(private readonly transport: BridgeTransport, private readonly options: BridgeOptions) {
        this.ended = new Promise((resolve) => (this.endBridge = resolve));
        this.log = log.child({ component: "gcs-bridge", ...(options.name ? { id: options.name } : {}) });
    }

    /** Starts the receive loop (hcsshim's `Start`). */
    start(): void {
        void this.receiveLoop().then(
            () => this.kill(undefined),
            (err: unknown) => this.kill(err instanceof Error ? err : new Error(String(err))),
        );
    }

    /** Closes the bridge; resolves with the error that had ended it, if any (hcsshim's `Close`). */
    close(): Error | undefined {
        this.kill(undefined);
        return this.bridgeError;
    }

    /** Resolves when the bridge has ended, with its error if it failed (hcsshim's `Wait`). */
    async wait(): Promise<Error | undefined> {
        await this.ended;
        return this.bridgeError;
    }

    get isClosed(): boolean {
        return this.closed;
    }

    /**
     * `RPC`: sends `request` as `proc` and resolves with the parsed response.
     * @throws GuestRpcError when the guest answers with a failure Result.
     * @throws BridgeClosedError when the bridge ends first (including after the bridge timeout).
     * @throws the signal's reason when it aborts and `allowCancel` is set.
     */
    async rpc<T extends ResponseBase>(proc: number, request: RequestBase, options: RpcOptions): Promise<T> {
        const { signal, allowCancel } = options;
        if (signal?.aborted) throw signal.reason;
        if (this.closed || !this.calls) throw this.bridgeError ?? new BridgeClosedError();
        const id = this.nextId++;
        const response = new Promise<ResponseBase>((resolve, reject) => this.calls!.set(id, { proc, resolve, reject }));
        this.send(proc, id, request);
        let timer: NodeJS.Timeout | undefined;
        let onAbort: (() => void) | undefined;
        const waits: Promise<ResponseBase>[] = [response];
        waits.push(new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
                this.kill(new Error(`message timeout: no response to ${messageTypeName(MessageType.Request | proc)} within ${this.options.timeoutMs} ms`));
                void response.catch(reject);
            }, this.options.timeoutMs);
        }));
        if (allowCancel && signal) {
            waits.push(new Promise<never>((_, reject) => {
                onAbort = () => {
                    this.log.warn({ reason: (signal.reason as Error)?.message }, "ignoring response to bridge message");
                    reject(signal.reason);
                };
                signal.addEventListener("abort", onAbort, { once: true });
            }));
        }
        try {
            const answer = await Promise.race(waits);
            if (answer.Result !== 0) throw new GuestRpcError(rpcName(proc), answer.Result, answer.ErrorMessage);
            return answer as T;
        } finally {
            clearTimeout(timer);
            if (onAbort) signal?.removeEventListener("abort", onAbort);
            void response.catch(() => undefined);
        }
    }

    /** `kill`: ends the bridge, closing the stream; every RPC then fails. */
    private kill(err: Error | undefined): void {
        if (this.closed) {
            if (err) this.log.warn({ err: err.message }, "bridge error, already terminated");
            return;
        }
        this.closed = true;
        this.bridgeError = err;
        if (err) this.log.error({ err: err.message }, "bridge forcibly terminating");
        else this.log.debug("bridge terminating");
        this.transport.close();
        // Fail any remaining RPCs. hcsshim does so when its read loop sees the closed stream; doing it
        // here does not depend on how soon a transport's pending read notices its close.
        const calls = this.calls;
        this.calls = undefined;
        for (const call of calls?.values() ?? []) call.reject(new BridgeClosedError(err));
        this.endBridge();
    }

    /** `sendRPC`: messages leave in the order the RPCs were made, one write at a time. */
    private send(proc: number, id: number, request: RequestBase): void {
        const bytes = encodeMessage(MessageType.Request | proc, id, request);
        if (this.log.isLevelEnabled("trace")) this.log.trace({ type: messageTypeName(MessageType.Request | proc), "message-id": id }, "bridge send");
        this.sending = this.sending.then(() => this.transport.write(bytes)).catch((err: unknown) => {
            const error = new Error(`bridge write: ${(err as Error).message}`, { cause: err });
            const call = this.calls?.get(id);
            this.calls?.delete(id);
            call?.reject(error);
            this.kill(error);
        });
    }

    private async receiveLoop(): Promise<void> {
        const reader = new MessageReader();
        for (;;) {
            let chunk: Buffer | null;
            try {
                chunk = await this.transport.read();
            } catch (err) {
                if (this.closed) return; // our own close ended the read (hcsshim's local disconnect)
                throw new Error(`bridge read failed: ${(err as Error).message}`, { cause: err });
            }
            if (chunk === null) {
                if (reader.pending > 0) throw new Error("bridge read failed: unexpected EOF");
                return;
            }
            let messages: BridgeMessage[];
            try {
                messages = reader.push(chunk);
            } catch (err) {
                throw new Error(`bridge read failed: ${(err as Error).message}`, { cause: err });
            }
            for (const message of messages) this.receive(message);
        }
    }

    /** One message from the guest (hcsshim's `recvLoop` body); a throw ends the bridge. */
    private receive(message: BridgeMessage): void {
        const { type, id, payload } = message;
        if (this.log.isLevelEnabled("trace")) this.log.trace({ type: messageTypeName(type), "message-id": id, payload: payload.toString("utf8") }, "bridge receive");
        switch ((type & MESSAGE_TYPE_MASK) >>> 0) {
            case MessageType.Response: {
                const call = this.calls?.get(id);
                this.calls?.delete(id);
                if (!call) throw new Error(`bridge received unknown rpc response for id ${id}, type ${messageTypeName(type)}`);
                let response: ResponseBase;
                try {
                    response = parseResponse(call.proc, payload);
                } catch (err) {
                    call.reject(err as Error);
                    throw err;
                }
                call.resolve(response);
                return;
            }
            case MessageType.Notify: {
                if (type >>> 0 !== ((MessageType.Notify | NOTIFY_CONTAINER) >>> 0)) {
                    throw new Error(`bridge received unknown unknown notification message ${messageTypeName(type)}`);
                }
                let notification: ContainerNotification;
                try {
                    notification = JSON.parse(payload.toString("utf8")) as ContainerNotification;
                } catch (err) {
                    throw new Error(`bridge response unmarshal failed: ${(err as Error).message}`, { cause: err });
                }
                try {
                    (this.options.notify ?? unexpectedNotification)(notification);
                } catch (err) {
                    throw new Error(`bridge notification failed: ${(err as Error).message}`, { cause: err });
                }
                return;
            }
            default:
                throw new Error(`bridge received unknown unknown message type ${messageTypeName(type)}`);
        }
    }
}

/**
 * The response to `proc`, as hcsshim's recvLoop unmarshals it: a payload that does not parse fails
 * the call and ends the bridge (`bridge response unmarshal failed`); a failure Result has its error
 * records logged, and fails the call with an rpcError.
 */
function parseResponse(proc: number, payload: Buffer): ResponseBase {
    let parsed: unknown;
    try {
        parsed = JSON.parse(payload.toString("utf8"));
    } catch (err) {
        throw new Error(`bridge response unmarshal failed: ${(err as Error).message}`, { cause: err });
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new Error(`bridge response unmarshal failed: the response to ${rpcName(proc)} is not a JSON object`);
    }
    const response = parsed as ResponseBase;
    const result = typeof response.Result === "number" ? response.Result | 0 : 0;
    if (result !== 0) {
        for (const record of response.ErrorRecords ?? []) {
            log.error({ component: "gcs-bridge", rpc: rpcName(proc), result: formatHresult(record.Result), message: record.Message, module: record.ModuleName,
                file: record.FileName, line: record.Line, function: record.FunctionName }, "bridge RPC error record");
        }
    }
    return { ...response, Result: result };
}

/** hcsshim's GuestConnection.notify: no container was created through this bridge, so none is known. */
function unexpectedNotification(notification: ContainerNotification): void {
    throw new Error(`container ${notification.ContainerId} not found`);
}
