/**
 * A duration as `ps` shows it, in its largest whole unit like `docker ps`'s short form: `45s`,
 * `12m`, `3h`, `2d`. Seconds below zero (clock skew between host and client) read as `0s`.
 */
export function formatAge(seconds: number): string {
    const s = Math.max(0, Math.floor(seconds));
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m`;
    if (s < 86400) return `${Math.floor(s / 3600)}h`;
    return `${Math.floor(s / 86400)}d`;
}
