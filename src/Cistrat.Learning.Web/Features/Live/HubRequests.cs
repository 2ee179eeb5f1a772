using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Identity;

namespace Cistrat.Learning.Web.Features.Live;

/// <summary>
/// What a request to the live hub keeps. A WebSocket keeps its HTTP request, and everything that request holds, for
/// the socket's whole life: with thousands of trainees in a room that is the server's memory. So hub requests take a
/// short pipeline of their own (see <see cref="Microsoft.Extensions.DependencyInjection.LiveRegistration.UseLearningLiveHub"/>):
/// same-origin check, sign-in read here, routing, authorization, the hub. The sign-in cookie is opened in a service
/// scope that ends at once (the cookie handler, its ticket and whatever the security-stamp check built go with it),
/// and the connection keeps a person made of the two claims the room reads (<see cref="Slim"/>); headers no hub
/// request needs after this point are dropped.
/// </summary>
internal static class HubRequests
{
    public const string PathPrefix = "/hubs";

    /// <summary>Request headers the hub does not read once the caller is known (the WebSocket handshake's are kept).</summary>
    private static readonly string[] DroppedHeaders =
    [
        "Cookie", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Referer", "Origin", "X-Requested-With",
        "Cache-Control", "Pragma",
    ];

    public static bool Matches(HttpContext context) => context.Request.Path.StartsWithSegments(PathPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Checks the origin and signs the caller in, then hands the request on. Not one async method: the rest of the
    /// pipeline is returned, not awaited, so no state of this step stays with the socket.
    /// </summary>
    public static Task PrepareAsync(HttpContext context, RequestDelegate next)
    {
        // Browsers send the sign-in cookie with a WebSocket opened by any site: refuse other origins.
        if (!SameOrigin.Allows(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }

        var signIn = AuthenticateAsync(context);
        return signIn.IsCompletedSuccessfully ? Continue(context, next, signIn.Result) : ContinueAsync(context, next, signIn);

        static async Task ContinueAsync(HttpContext context, RequestDelegate next, Task<bool> signIn) =>
            await Continue(context, next, await signIn);
    }

    private static Task Continue(HttpContext context, RequestDelegate next, bool signedIn)
    {
        // Not signed in: left as it came, so that authorization's challenge answers a script (X-Requested-With) with 401.
        if (signedIn)
        {
            foreach (var header in DroppedHeaders)
                context.Request.Headers.Remove(header);
            context.Features.Set<IRequestCookiesFeature>(null);
        }

        return next(context);
    }

    /// <summary>
    /// The app's default sign-in (the Identity cookie, sliding renewal and the security-stamp check included), run with
    /// services of a scope that is disposed before the hub starts, so the request keeps none of them.
    /// </summary>
    private static async Task<bool> AuthenticateAsync(HttpContext context)
    {
        var requestServices = context.Features.Get<IServiceProvidersFeature>();
        await using var scope = context.RequestServices.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        context.Features.Set<IServiceProvidersFeature>(new ServiceProvidersFeature { RequestServices = scope.ServiceProvider });
        try
        {
            var result = await scope.ServiceProvider.GetRequiredService<IAuthenticationService>().AuthenticateAsync(context, scheme: null);
            if (!result.Succeeded)
                return false;
            context.User = Slim(result.Principal);
            return true;
        }
        finally
        {
            context.Features.Set(requestServices);
        }
    }

    /// <summary>
    /// The person as the room sees them: their id (which also addresses <c>Clients.User</c>) and their roles, with
    /// claim types and role names that are shared strings rather than copies read out of each cookie.
    /// </summary>
    public static ClaimsPrincipal Slim(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var claims = new List<Claim>(2);
        if (user.FindFirst(ClaimTypes.NameIdentifier) is { } id)
            claims.Add(new Claim(ClaimTypes.NameIdentifier, id.Value));
        foreach (var identity in user.Identities)
        {
            foreach (var role in identity.FindAll(identity.RoleClaimType))
                claims.Add(new Claim(ClaimTypes.Role, string.IsInterned(role.Value) ?? role.Value));
        }

        var authenticationType = user.Identity?.AuthenticationType is { } type
            ? string.IsInterned(type) ?? type
            : IdentityConstants.ApplicationScheme;
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, ClaimTypes.Name, ClaimTypes.Role));
    }
}
