import type * as net from "node:net";

/**
 * Calls `onLine` for every complete line a socket receives (the control interface and the launcher
 * speak one JSON request per line). Returning false stops reading the rest of what arrived (the
 * caller is closing the connection).
 */
export function onLines(socket: net.Socket, onLine: (line: string) => boolean | void): void {
    socket.setEncoding("utf8");
    let buffer = "";
    socket.on("data", (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf("\n")) >= 0) {
            const line = buffer.slice(0, nl);
            buffer = buffer.slice(nl + 1);
            if (onLine(line) === false) return;
        }
    });
}
