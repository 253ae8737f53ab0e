"""Benchmark of the server actions over four paths: the BFF, the same actions as a Node server
calling Supabase (the peer), PostgREST direct, and plain SQL.

Run `python -m bench --scale small|full`. It starts its own isolated local stack (temporary
cluster, free ports), loads generated data, measures every scenario with the paths interleaved,
writes `bench/results/latest.json` and `latest.md`, prints the table and the goal ratios, and
tears the stack down again.
"""
