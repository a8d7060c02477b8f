/** How many matching IDs an ambiguous-prefix error lists before it says "and N more". */
const LISTED_MATCHES = 10;

/** How the errors name what the IDs are IDs of, and where they were looked for. */
export interface IdWords {
    /** "compute system", "VM". */
    readonly noun: string;
    /** "compute-system IDs", "VM IDs". */
    readonly plural: string;
    /** "on this host", "on host agent grpcs://…". */
    readonly place: string;
}

/**
 * The one ID among `ids` that starts with `text`, compared without case (as HCS compares IDs), like
 * `docker rm 3f2`. Callers try the text as a whole ID first: this is the fallback.
 * @throws Error naming the text when no ID matches, or listing the matches when several do.
 */
export function soleIdStartingWith(ids: readonly string[], text: string, words: IdWords): string {
    const wanted = text.toLowerCase();
    const matches = ids.filter((id) => id.toLowerCase().startsWith(wanted)).sort();
    if (matches.length === 0) {
        throw new Error(`no ${words.noun} '${text}' ${words.place}: no ID is or starts with it (\`pulumi-hcs ps\` lists them)`);
    }
    if (matches.length > 1) {
        const listed = matches.slice(0, LISTED_MATCHES).join(", ");
        const more = matches.length > LISTED_MATCHES ? ` and ${matches.length - LISTED_MATCHES} more` : "";
        throw new Error(`'${text}' is ambiguous: ${matches.length} ${words.plural} start with it (${listed}${more}); give more of the ID`);
    }
    return matches[0]!;
}
