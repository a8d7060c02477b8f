/** `pulumi-hcs ps`: not written yet. */
export async function run(_args: string[]): Promise<number> {
    process.stderr.write("pulumi-hcs ps: not implemented yet\n");
    return 1;
}
