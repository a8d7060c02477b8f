/**
 * The bench's shape floor (`npm run bench -- --shape-floor`, bench/programs/shaped-noop) stands for
 * pulumi-hcs's state in Pulumi's own machinery: the engine and the Node dynamic-provider host pay per
 * property and per byte, so its provider must answer what pulumi-hcs's provider answers for the
 * bench's VMs (the same keys, value types, list lengths and about the same bytes), or the bench
 * splits its ratio wrongly between pulumi-hcs's schema and pulumi-hcs's own work.
 */
import * as shapeFloor from "../../bench/programs/shaped-noop/provider";
import { benchVmInputs } from "../../bench/programs/shared/vm-inputs";
import { type Bag, checked, provider } from "../support/provider";
import { startTestHost, type TestHost } from "../support/simulated-host";

let host: TestHost;

beforeAll(async () => {
    host = await startTestHost({ logicalProcessors: 8 });
});

afterAll(async () => {
    await host?.stop();
});

/** Each key's kind of value (`string`, `number`, `list of 3`, …), as the engine stores the bag. */
function shapeOf(bag: Bag): Record<string, string> {
    return Object.fromEntries(Object.entries(bag)
        .filter(([key, value]) => value !== undefined && key !== "__provider")
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, value]) => [key, Array.isArray(value) ? `list of ${value.length}` : value === null ? "null" : typeof value]));
}

/** The bag's JSON size, without `__provider` (the host adds it to both). */
function bytesOf(bag: Bag): number {
    const { __provider: _provider, ...rest } = bag;
    return JSON.stringify(rest).length;
}

const urn = (project: string, type: string) => `urn:pulumi:bench::${project}::${type}::vm-0`;

it("answers check, create and read with pulumi-hcs's keys, value types and sizes", async () => {
    const args = benchVmInputs(0);
    const news = { ...args, host: host.hostName, __resource: urn("bench-hcs-vms", "pulumi-nodejs:dynamic/hcs:WcowUtilityVm") };
    const inputs = await checked(news);
    // A preview's check finds the state's own values (the derived ID, the host's identity): the same answer each time.
    expect(await checked(news)).toEqual(inputs);
    const created = await provider.create(inputs);
    const outputs = created.outs as Bag;
    const read = await provider.read(created.id, outputs);
    await provider.delete(created.id, outputs);

    const floorNews = { ...args, __resource: urn("bench-shaped-noop", "pulumi-nodejs:dynamic/bench:ShapedNoop") };
    const floorInputs = (await shapeFloor.check({}, floorNews)).inputs as Bag;
    expect((await shapeFloor.check({}, floorNews)).inputs).toEqual(floorInputs);
    const floorCreated = await shapeFloor.create(floorInputs);
    const floorRead = await shapeFloor.read(floorCreated.id, floorCreated.outs as Bag);

    expect(shapeOf(floorInputs)).toEqual(shapeOf(inputs));
    expect(shapeOf(floorCreated.outs as Bag)).toEqual(shapeOf(outputs));
    expect(shapeOf(floorRead.props as Bag)).toEqual(shapeOf(read.props as Bag));
    expect(floorRead.inputs).toBe(read.inputs);
    // Bytes: the same values but for IDs, paths and URNs of other lengths.
    for (const [floor, pulumiHcs] of [[floorInputs, inputs], [floorCreated.outs as Bag, outputs], [floorRead.props as Bag, read.props as Bag]] as const) {
        expect(Math.abs(bytesOf(floor) - bytesOf(pulumiHcs)) / bytesOf(pulumiHcs)).toBeLessThan(0.1);
    }
});
