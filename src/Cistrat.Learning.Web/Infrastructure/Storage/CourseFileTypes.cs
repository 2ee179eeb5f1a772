using Microsoft.AspNetCore.StaticFiles;

namespace Cistrat.Learning.Web.Infrastructure.Storage;

/// <summary>Only images and resources are served from content/; lesson sources (.md, .yml) are not.</summary>
public static class CourseFileTypes
{
    public static readonly FileExtensionContentTypeProvider Provider = Build();

    private static FileExtensionContentTypeProvider Build()
    {
        var provider = new FileExtensionContentTypeProvider();
        provider.Mappings.Clear();
        provider.Mappings[".svg"] = "image/svg+xml";
        provider.Mappings[".png"] = "image/png";
        provider.Mappings[".jpg"] = "image/jpeg";
        provider.Mappings[".jpeg"] = "image/jpeg";
        provider.Mappings[".webp"] = "image/webp";
        provider.Mappings[".gif"] = "image/gif";
        provider.Mappings[".pdf"] = "application/pdf";
        provider.Mappings[".csv"] = "text/csv";
        provider.Mappings[".txt"] = "text/plain";
        provider.Mappings[".xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        provider.Mappings[".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
        provider.Mappings[".odt"] = "application/vnd.oasis.opendocument.text";
        provider.Mappings[".ods"] = "application/vnd.oasis.opendocument.spreadsheet";
        return provider;
    }
}
