/** `pulumi-hcs sim`: not written yet. */
export async function run(_args: string[]): Promise<number> {
    process.stderr.write("pulumi-hcs sim: not implemented yet\n");
    return 1;
}
