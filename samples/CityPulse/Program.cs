Console.WriteLine("CityPulse: work in progress");
