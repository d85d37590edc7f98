using Kora.AppHost.Hosting;
using Kora.AppHost.Hosting.Endpoints;
using Kora.AppHost.Hosting.Health;

namespace Kora.AppHost.Orchestration;

/// <summary>Polls a resource's HTTP health endpoint, backing off from 100 ms to 1 s, until it answers the expected status.</summary>
internal static class HttpHealthProbe
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    public static async Task WaitUntilHealthyAsync(Resource resource, HttpHealthCheckAnnotation check, CancellationToken cancellation)
    {
        var endpoint = resource.FindEndpoint(check.EndpointName)!;
        var url = $"{endpoint.Scheme}://{EndpointAnnotation.LoopbackHost}:{endpoint.AllocatedPort}{check.Path}";
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                using var response = await Http.GetAsync(url, cancellation).ConfigureAwait(false);
                if ((int)response.StatusCode == check.StatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellation.IsCancellationRequested)
            {
                // The probe timed out; the process may be busy starting.
            }
            await Task.Delay(delay, cancellation).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
        }
    }
}
