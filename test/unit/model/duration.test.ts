import { MAX_DURATION_MS, parseDuration } from "../../../provider/src/model/duration";

function ms(text: string): number {
    const parsed = parseDuration(text);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.milliseconds;
}

function reason(text: string): string {
    const parsed = parseDuration(text);
    if (parsed.ok) throw new Error(`${text} parsed as ${parsed.milliseconds}ms`);
    return parsed.reason;
}

describe("parseDuration()", () => {
    test.each([
        ["90s", 90_000],
        ["5m", 300_000],
        ["1h30m", 5_400_000],
        ["1.5h", 5_400_000],
        ["2h45m30s", 9_930_000],
        ["300ms", 300],
        [".5s", 500],
        ["5.s", 5_000],
        ["1h0m0s", 3_600_000],
    ])("reads %p as %d milliseconds", (text, expected) => {
        expect(ms(text)).toBe(expected);
    });

    test("rounds sub-millisecond durations up so a positive timeout never becomes zero", () => {
        expect(ms("1ns")).toBe(1);
        expect(ms("1500us")).toBe(2);
        expect(ms("1\u00b5s")).toBe(1);
        expect(ms("1\u03bcs")).toBe(1);
    });

    test("accepts the longest Node.js timer delay and refuses one millisecond more", () => {
        expect(ms(`${MAX_DURATION_MS}ms`)).toBe(MAX_DURATION_MS);
        expect(reason(`${MAX_DURATION_MS + 1}ms`)).toContain("longer than the longest supported timeout");
        expect(reason("100000h")).toContain("longer than the longest supported timeout");
    });

    test("refuses an empty string", () => {
        expect(reason("")).toContain("empty");
    });

    test("refuses zero in every spelling", () => {
        expect(reason("0")).toContain("greater than 0");
        expect(reason("0s")).toContain("greater than 0");
        expect(reason("0h0m")).toContain("greater than 0");
    });

    test("refuses negative and signed durations", () => {
        expect(reason("-5m")).toContain("negative");
        expect(reason("+5m")).toContain("sign");
    });

    test("refuses a number without a unit", () => {
        expect(reason("300")).toContain('"300" has no unit');
        expect(reason("5m30")).toContain('"30" has no unit');
    });

    test("refuses unknown units, days included, naming the unit", () => {
        expect(reason("1d")).toContain('unknown unit "d"');
        expect(reason("5 m")).toContain('unknown unit " m"');
        expect(reason("5min")).toContain('unknown unit "min"');
    });

    test("refuses a unit without a number", () => {
        expect(reason("m")).toContain("no number");
        expect(reason(".s")).toContain("no number");
    });

    test("lists the accepted units in every syntax error", () => {
        for (const text of ["1d", "abc", "5", "1..5s"]) expect(reason(text)).toContain("units ns, us, ms, s, m, h");
    });
});
