using System.Globalization;
using System.Text;
using Kora.AppHost.Hosting;

namespace Kora.AppHost.Publishing;

/// <summary>
/// <c>DEPLOY-&lt;target&gt;.md</c>: the fleet as a table (what runs, from which image, on which ports,
/// with which volume, after what), then how those pieces map onto the target cloud's services.
/// </summary>
internal static class DeploymentNotes
{
    public static string Write(IReadOnlyList<Resource> resources, PublishTarget target)
    {
        var notes = new StringBuilder();
        notes.Append("# Deploying the Kora fleet on ").AppendLine(Title(target)).AppendLine();
        notes.AppendLine("Written by `dotnet run --project Kora.AppHost -- publish` from the same resource graph the local host runs.");
        notes.AppendLine("`aspire-manifest.json` is the graph (Aspire's manifest format); `docker-compose.yaml` is the same graph as containers.").AppendLine();
        notes.AppendLine("| resource | runs | endpoints (container port) | volume | starts after |");
        notes.AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var resource in resources)
        {
            var runs = resource switch
            {
                ProjectResource project => $"image `{project.ContainerImage}` from `{project.ProjectPath}`",
                ExecutableResource executable => $"executable `{executable.Command}` (not a container: run it beside the fleet)",
                _ => resource.GetType().Name,
            };
            var endpoints = string.Join(", ", resource.Endpoints.Select(e =>
                string.Create(CultureInfo.InvariantCulture, $"{e.Name} {e.Scheme} {e.TargetPort ?? e.Port}{(e.IsExternal ? " (public)" : "")}")));
            var volume = resource.DataVolume is { } v ? $"`{v.Name}` at `{v.Target}`" : "";
            notes.Append("| ").Append(resource.Name).Append(" | ").Append(runs).Append(" | ").Append(endpoints).Append(" | ").Append(volume)
                .Append(" | ").Append(string.Join(", ", resource.WaitsFor.Select(w => w.Name))).AppendLine(" |");
        }
        notes.AppendLine();
        notes.AppendLine("Every Kora service answers `GET /health` on its `http` endpoint. Brokers advertise `<service name>:<kafka port>`");
        notes.AppendLine("(`Kora__Broker__AdvertisedListener`): clients outside the private network need each broker's public");
        notes.AppendLine("address there instead, one per broker, because a Kafka client connects to every broker it is told about.").AppendLine();
        notes.AppendLine("## Mapping").AppendLine();
        notes.AppendLine(target switch
        {
            PublishTarget.Aws => """
                - Images: push each `kora.*` image to Amazon ECR.
                - Services: one Amazon ECS service per resource (desired count 1: each broker has its own node id and data),
                  from a task definition carrying the `environment` of the Compose file; `depends_on` becomes the task
                  definition's container `dependsOn` with condition `HEALTHY` inside one task, or start order across services.
                - Data: an Amazon EBS volume per broker task (ECS attaches one at launch, Fargate included) mounted at the
                  volume's target; EFS is not suited to a log that fsyncs every acknowledged batch.
                - Network: a Network Load Balancer with one TCP listener per broker (Kafka is not HTTP), its target group
                  health-checked with HTTP `/health` on the `http` port; set each broker's advertised listener to the
                  NLB's DNS name and that broker's listener port.
                - Names: AWS Cloud Map service discovery gives each service the DNS name the Compose file uses.
                """,
            PublishTarget.Azure => """
                - Images: push each `kora.*` image to Azure Container Registry.
                - Services: Azure Container Apps, one app per resource with min and max replicas 1:
                  `az containerapp compose create --compose-file-path docker-compose.yaml` creates them from the Compose file.
                - Network: Kafka needs TCP ingress, which Container Apps offers only in an environment with its own virtual
                  network; give each broker an `exposedPort` and advertise the environment's address with that port.
                - Data: Azure Files volumes work but add SMB latency to every fsync; for production brokers prefer AKS with
                  Premium SSD managed disks (one persistent volume claim per broker).
                - Health: a readiness and liveness probe of HTTP `/health` on the `http` port per app.
                """,
            PublishTarget.Gcp => """
                - Images: push each `kora.*` image to Artifact Registry.
                - Services: Google Kubernetes Engine (Cloud Run serves only HTTP, and Kafka is TCP): `kompose convert -f
                  docker-compose.yaml` gives a starting point; turn each broker into a StatefulSet of one replica.
                - Data: a PersistentVolumeClaim per broker on the `premium-rwo` (SSD persistent disk) storage class, mounted
                  at the volume's target.
                - Network: a headless Service per broker for in-cluster names, and a LoadBalancer Service per broker for
                  clients outside the cluster, advertised as that broker's listener.
                - Health: readiness and liveness probes of HTTP `/health` on the `http` port.
                """,
            _ => throw new ArgumentOutOfRangeException(nameof(target), target, null),
        });
        return notes.ToString();
    }

    private static string Title(PublishTarget target) => target switch
    {
        PublishTarget.Aws => "AWS",
        PublishTarget.Azure => "Azure",
        PublishTarget.Gcp => "Google Cloud",
        _ => target.ToString(),
    };
}
