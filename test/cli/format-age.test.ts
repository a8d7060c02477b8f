import { formatAge } from "../../provider/src/cli/format-age";

describe("formatAge()", () => {
    it.each([
        [0, "0s"], [59, "59s"], [60, "1m"], [3599, "59m"], [3600, "1h"], [86399, "23h"], [86400, "1d"], [30 * 86400, "30d"],
    ])("shows %i seconds as %s", (seconds, shown) => {
        expect(formatAge(seconds)).toBe(shown);
    });

    it("shows a start in the future (the host's clock ahead of ours) as 0s", () => {
        expect(formatAge(-5)).toBe("0s");
    });
});
