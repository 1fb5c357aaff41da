// run_sql's cost: a governed `run_sql SELECT 1` through a real MCP client (over in-memory pipes,
// with the whole pipeline, a real SQLite store and its two durable audit appends, a READ ONLY
// transaction and a pooled Npgsql data source) against the same SELECT 1 with plain Npgsql, in
// one run. Needs the test PostgreSQL server:
//   eval "$(eng/postgres.sh start)"
//   dotnet run -c Release --project bench/RunSql.Benchmarks
//   eng/postgres.sh stop "$MCPGW_TEST_POSTGRES_DIR"
using BenchmarkDotNet.Running;
using RunSql.Benchmarks;

BenchmarkSwitcher.FromAssembly(typeof(RunSqlBenchmarks).Assembly).Run(args);
