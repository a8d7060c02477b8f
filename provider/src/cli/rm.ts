/** `pulumi-hcs rm`: not written yet. */
export async function run(_args: string[]): Promise<number> {
    process.stderr.write("pulumi-hcs rm: not implemented yet\n");
    return 1;
}
