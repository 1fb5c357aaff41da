using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Policies.Benchmarks.DecisionBenchmarks).Assembly).Run(args);
