namespace CityPulse;

/// <summary>
/// Makes plot text render everywhere: containers and minimal servers have no system fonts, and ScottPlot then draws
/// blank labels without an error. The sample ships DejaVu Sans (Bitstream Vera licence, Assets/) and uses it.
/// </summary>
internal static class PlotFont
{
    public const string Name = "DejaVu Sans";

    private static bool s_loaded;

    public static void Use()
    {
        if (s_loaded)
        {
            return;
        }

        var file = Path.Combine(AppContext.BaseDirectory, "Assets", "DejaVuSans.ttf");
        ScottPlot.Fonts.AddFontFile(Name, file);
        ScottPlot.Fonts.Default = Name;
        s_loaded = true;
    }
}
