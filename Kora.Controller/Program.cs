using System.Net;
using Kora.Controller;
using Kora.Controller.Raft;
using Kora.Network;
using Microsoft.AspNetCore.Server.Kestrel.Core;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddServiceDefaults();
builder.Services.AddKoraController(builder.Configuration);

var options = builder.Configuration.GetSection(ControllerOptions.SectionName).Get<ControllerOptions>() ?? new ControllerOptions();
ListenOptions? httpListener = null;
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPEndPoint.Parse(options.HttpListener), listen => httpListener = listen));
builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(10));

var app = builder.Build();
app.MapDefaultEndpoints();
var raft = app.Services.GetRequiredService<ControllerRaft>();
app.MapGet("/debug/metadata", () => Results.Json(MetadataView.Of(raft.Controller)));

// The listener binds before the Raft replica starts, so the first votes of the other voters find it.
var kafka = app.Services.GetRequiredService<KafkaListener>();
kafka.Start(IPEndPoint.Parse(options.Listener));
await app.StartAsync();

var kafkaEndPoint = kafka.EndPoint!;
var httpEndPoint = httpListener!.IPEndPoint!;
Console.WriteLine($"KORA_CONTROLLER_READY kafka={kafkaEndPoint} http={httpEndPoint}");
app.Services.GetRequiredService<ILogger<ControllerOptions>>().LogInformation(
    "Kora controller {NodeId} serving Kafka on {Kafka}, health on http://{Http}/health, voters {Voters}, data in {DataDir}",
    options.NodeId, kafkaEndPoint, httpEndPoint, options.QuorumVoters, Path.GetFullPath(options.DataDir));

await app.WaitForShutdownAsync();
await app.DisposeAsync();
