export declare const TARGETS: Record<'server' | 'web', { output: string; sources: string[] }>;
/** Whether `target`'s output is missing or older than one of its sources. */
export declare function stale(target: 'server' | 'web', root?: string): boolean;
