/** `pulumi-hcs render`: not written yet. */
export async function run(_args: string[]): Promise<number> {
    process.stderr.write("pulumi-hcs render: not implemented yet\n");
    return 1;
}
