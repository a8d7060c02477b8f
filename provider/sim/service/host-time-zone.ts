/**
 * The simulated host's time zone, as Windows' GetTimeZoneInformation would describe it (the HCS
 * schema's TimeZoneInformation): the zone of the service process (its TZ), so a test picks the host's
 * zone by starting the simulator with TZ set. The provider sends it to a guest that does not have
 * noInheritHostTimezone, as hcsshim sends the host's.
 *
 * Windows' Bias is UTC minus local time, in minutes, which is what JavaScript's getTimezoneOffset()
 * returns. Standard time is the half of the year with the larger bias. Names are the long English
 * names ("Eastern Standard Time", as Windows names US zones; others differ from Windows' names).
 * Simulator limitation: no transition dates (Windows' StandardDate/DaylightDate rules), so a zone
 * with daylight saving time has its daylight bias and name but zeroed dates.
 */
export interface HostTimeZone {
    readonly Bias?: number;
    readonly StandardName: string;
    readonly StandardDate: Record<string, never>;
    readonly StandardBias?: number;
    readonly DaylightName: string;
    readonly DaylightDate: Record<string, never>;
    readonly DaylightBias?: number;
}

export function hostTimeZone(now: Date = new Date()): HostTimeZone {
    const year = now.getFullYear();
    const january = new Date(year, 0, 1, 12);
    const july = new Date(year, 6, 1, 12);
    const [standard, daylight] = january.getTimezoneOffset() >= july.getTimezoneOffset() ? [january, july] : [july, january];
    const bias = standard.getTimezoneOffset();
    const daylightBias = daylight.getTimezoneOffset() - bias;
    const standardName = zoneName(standard);
    const utc = bias === 0 && daylightBias === 0 && /^(Coordinated Universal Time|UTC|GMT)$/i.test(standardName);
    return {
        ...(bias !== 0 ? { Bias: bias } : {}),
        StandardName: utc ? "Coordinated Universal Time" : standardName,
        StandardDate: {},
        DaylightName: utc ? "Coordinated Universal Time" : daylightBias === 0 ? standardName : zoneName(daylight),
        DaylightDate: {},
        ...(daylightBias !== 0 ? { DaylightBias: daylightBias } : {}),
    };
}

function zoneName(at: Date): string {
    const part = new Intl.DateTimeFormat("en-US", { timeZoneName: "long" }).formatToParts(at).find((p) => p.type === "timeZoneName");
    return part?.value ?? "Coordinated Universal Time";
}
