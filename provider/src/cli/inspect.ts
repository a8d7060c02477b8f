/** `pulumi-hcs inspect`: not written yet. */
export async function run(_args: string[]): Promise<number> {
    process.stderr.write("pulumi-hcs inspect: not implemented yet\n");
    return 1;
}
