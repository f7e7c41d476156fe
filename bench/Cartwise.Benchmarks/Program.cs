using BenchmarkDotNet.Running;
using Cartwise.Benchmarks;

// `load-track` drives a real server over loopback; anything else goes to BenchmarkDotNet.
return args.FirstOrDefault() switch
{
    "load-track" => await TrackLoad.RunAsync(args[1..]),
    "load-imports" => await ImportLoad.RunAsync(args[1..]),
    "grow-data" => await GrowData.RunAsync(args[1..]),
    "faults" => await Cartwise.Benchmarks.Faults.FaultLoad.RunAsync(args[1..]),
    "load-recs" => await RecsLoad.RunAsync(args[1..]),
    "load-messages" => await MessagesLoad.RunAsync(args[1..]),
    "load-scenarios" => await ScenariosLoad.RunAsync(args[1..]),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(TrackLoad).Assembly).Run(args);
    return 0;
}
