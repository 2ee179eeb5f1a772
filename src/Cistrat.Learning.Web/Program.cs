using Cistrat.Learning.Core.Content;
using Cistrat.Learning.Web.Features.Account;
using Cistrat.Learning.Web.Infrastructure.Startup;
using Cistrat.Learning.Web.Infrastructure.Storage;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

var (hostArgs, demo, command) = StartupTasks.ParseArguments(args);
var builder = WebApplication.CreateBuilder(hostArgs);

builder.AddLearningStorage();
builder.AddLearningSecurity();
builder.Services.AddLearningLocalization();
builder.Services.AddLearningFeatures();
builder.Services.AddLearningLive(builder.Configuration);
builder.AddLearningJobs();
builder.AddCertificates();

var app = builder.Build();

if (await StartupTasks.RunAsync(app, demo, command) is int exitCode)
    return exitCode;

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error");
    app.UseHsts();
}

app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto });
app.UseLearningLiveHub();
app.UseStatusCodePagesWithReExecute("/error/{0}");
app.UseResponseCompression();
app.UseRequestLocalization();
app.UseStaticFiles(new StaticFileOptions
{
    FileProvider = new PhysicalFileProvider(app.Services.GetRequiredService<DataFolder>().ContentRoot),
    RequestPath = ContentImporter.FilesRequestPath,
    ContentTypeProvider = CourseFileTypes.Provider,
    OnPrepareResponse = ctx => ctx.Context.Response.Headers.CacheControl = "public, max-age=86400",
});
app.UseRouting();
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();

app.MapStaticAssets();
app.MapRazorPages().WithStaticAssets();
app.MapHealthChecks("/healthz");
app.MapHealthChecks("/healthz/live", new() { Predicate = _ => false });
app.MapLanguageSwitch();
app.MapLearningLive();
app.MapLearningJobs();
app.MapCertificates();

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
