using Cartwise.Cli;

return await CartwiseCli.Build().Parse(args).InvokeAsync();
