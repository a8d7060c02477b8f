// pulumi-hcs-provider: the implementation behind the `pulumi-hcs` SDK and CLI.
export {};
