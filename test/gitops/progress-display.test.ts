/** The reconcile runner's progress display: one rewritten line on a terminal, plain lines elsewhere. */
import { plainLines, terminalLine } from "../../provider/src/gitops/progress-display";
import type { ReconcileStatus } from "../../provider/src/gitops/reconcile-status";

const status = (over: Partial<ReconcileStatus>): ReconcileStatus => ({
    time: "2025-03-01T12:00:00.000Z", stack: "prod", phase: "Reconciling", reason: "CheckingDrift", message: "checking", pass: 1, attempt: 1, drift: null, nextRunAt: null, ...over,
});

describe("progress display", () => {
    it("on a terminal: rewrites one line (with the elapsed time and notes), keeps a pass's last line, ends with a newline", () => {
        let out = "";
        let clock = 0;
        const display = terminalLine({ write: (t: string) => (out += t), columns: 200 }, () => clock);
        display.status(status({}));
        clock = 3000;
        display.note("2 resource changes applied");
        display.status(status({ phase: "Ready", reason: "NoDrift", message: "no drift (3 VMs checked)", nextRunAt: "2025-03-01T12:10:00.000Z" }));
        display.close();
        const frames = out.split("\r\x1b[2K").filter(Boolean);
        expect(frames).toEqual([
            "prod Reconciling CheckingDrift 0s: checking",
            "prod Reconciling CheckingDrift 3s: checking [2 resource changes applied]",
            "prod Ready NoDrift: no drift (3 VMs checked)\n",
        ]);
    });

    it("elsewhere: one plain line per status, with the next run", () => {
        let out = "";
        const display = plainLines((t) => (out += t));
        display.status(status({}));
        display.note("ignored");
        display.status(status({ phase: "Drifted", reason: "DriftFound", message: "1 of 3 VMs drifted", nextRunAt: "2025-03-01T12:10:00.000Z" }));
        expect(out).toBe("2025-03-01T12:00:00.000Z prod Reconciling CheckingDrift: checking\n" +
            "2025-03-01T12:00:00.000Z prod Drifted DriftFound: 1 of 3 VMs drifted (next: 2025-03-01T12:10:00.000Z)\n");
    });
});
