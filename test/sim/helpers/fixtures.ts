/**
 * Simulator fixtures for the tests: start a service for a test file, point this process's native
 * library at it, and build valid WCOW documents with the files they need.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { startSimulatorProcess, type RunningSimulator, type StartSimulatorOptions } from "../../../provider/sim/service/launch";
import { seedLayers } from "../../../provider/sim/service/seed-layers";
import { resolveLocalPath } from "../../../provider/sim/service/windows-path";
import { hcsLib, libraryStats } from "./hcs-lib";

export const BASE_LAYER = "C:\\layers\\base";
export const SCSI_CONTROLLER = "df6d0690-79e5-55b6-a5ec-c1e2f77f580a";

/**
 * Starts a simulator and points this process's library at it (the library reads PULUMI_HCS_SIM when
 * it connects; any connection to an earlier simulator is dropped first).
 */
export async function useSimulator(opts: StartSimulatorOptions = {}): Promise<RunningSimulator> {
    const sim = await startSimulatorProcess({ logicalProcessors: 8, ...opts });
    connectTo(sim);
    return sim;
}

/**
 * Points the library at `sim` and drops its current connection. Jest gives each test file a copy of
 * process.env that native code never sees, so the address goes in through HcsSimSetServiceAddress.
 */
export function connectTo(sim: RunningSimulator): void {
    const lib = hcsLib();
    lib.HcsSimSetServiceAddress(sim.address, sim.secret ?? null);
    lib.HcsSimResetConnection();
}

/** Stops the simulator after dropping the library's connection to it. */
export async function stopSimulator(sim: RunningSimulator | undefined): Promise<void> {
    if (!sim) return;
    hcsLib().HcsSimResetConnection();
    await sim.stop();
}

export function newId(prefix = "uvm"): string {
    return `${prefix}-${randomUUID()}`;
}

/** The scratch disk path a test VM uses. */
export function scratchPath(id: string): string {
    return `C:\\uvms\\${id}\\sandbox.vhdx`;
}

/**
 * Creates a file (and its folders) at a Windows path under the root. Names that exist in another
 * case are reused, as on NTFS; new ones are created as spelled.
 */
export function writeWindowsFile(root: string, windows: string, content: string | Buffer = "x"): string {
    const local = resolveLocalPath(root, windows);
    fs.mkdirSync(path.dirname(local), { recursive: true });
    fs.writeFileSync(local, content);
    return local;
}

export function makeWindowsDir(root: string, windows: string): string {
    const local = resolveLocalPath(root, windows);
    fs.mkdirSync(local, { recursive: true });
    return local;
}

/** Seeds the base layer and the VM's scratch disk; grants the scratch to the VM unless told not to. */
export function prepareVmFiles(root: string, id: string, opts: { grant?: boolean } = {}): void {
    seedLayers(root, BASE_LAYER);
    writeWindowsFile(root, scratchPath(id), "vhdxfile");
    if (opts.grant !== false) {
        const hr = hcsLib().HcsGrantVmAccess(id, scratchPath(id));
        if (hr !== 0) throw new Error(`HcsGrantVmAccess failed: 0x${(hr >>> 0).toString(16)}`);
    }
}

export interface VmDocOptions {
    readonly memoryMB?: number;
    readonly processors?: number;
    readonly allowOvercommit?: boolean;
    readonly terminateOnLastHandleClosed?: boolean;
    readonly owner?: string;
    readonly cpuGroup?: string;
}

/** A WCOW utility VM document shaped like hcsshim's (reference §5.5). */
export function vmDocument(id: string, o: VmDocOptions = {}): Record<string, any> {
    const overcommit = o.allowOvercommit ?? true;
    const processor: Record<string, unknown> = { Count: o.processors ?? 2 };
    if (o.cpuGroup) processor.CpuGroup = { Id: o.cpuGroup };
    const doc: Record<string, any> = {
        Owner: o.owner ?? "sim-tests",
        SchemaVersion: { Major: 2, Minor: 1 },
        VirtualMachine: {
            StopOnReset: true,
            Chipset: { Uefi: { BootThis: { DeviceType: "VmbFs", DevicePath: "\\EFI\\Microsoft\\Boot\\bootmgfw.efi" } } },
            ComputeTopology: {
                Memory: overcommit ? { SizeInMB: o.memoryMB ?? 1024, AllowOvercommit: true, EnableHotHint: true } : { SizeInMB: o.memoryMB ?? 1024 },
                Processor: processor,
            },
            Devices: {
                Scsi: { [SCSI_CONTROLLER]: { Attachments: { "0": { Type: "VirtualDisk", Path: scratchPath(id) } } } },
                HvSocket: { HvSocketConfig: { DefaultBindSecurityDescriptor: "D:P(A;;FA;;;SY)(A;;FA;;;BA)" } },
                VirtualSmb: {
                    Shares: [{
                        Name: "os",
                        Path: `${BASE_LAYER}\\UtilityVM\\Files`,
                        Options: { ReadOnly: true, ShareRead: true, CacheIo: true, TakeBackupPrivilege: true, PseudoOplocks: true },
                    }],
                    DirectFileMappingInMB: 1024,
                },
            },
            RegistryChanges: {
                AddValues: [{ Key: { Hive: "System", Name: "CurrentControlSet\\Services\\gns" }, Name: "EnableCompartmentNamespace", Type: "DWord", DWordValue: 1 }],
            },
        },
    };
    if (o.terminateOnLastHandleClosed) doc.ShouldTerminateOnLastHandleClosed = true;
    return doc;
}

/** Waits until `check` returns true (polling; the clock here is real because a separate process answers). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = "condition"): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (await check()) return;
        await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Asserts the library holds no strings, operations or handles. */
export function expectNoLeaks(): void {
    const s = libraryStats();
    expect({ liveStrings: s.liveStrings, liveOperations: s.liveOperations, liveSystemHandles: s.liveSystemHandles, allocatedOperations: s.allocatedOperations, allocatedSystemHandles: s.allocatedSystemHandles })
        .toEqual({ liveStrings: 0, liveOperations: 0, liveSystemHandles: 0, allocatedOperations: 0, allocatedSystemHandles: 0 });
}
