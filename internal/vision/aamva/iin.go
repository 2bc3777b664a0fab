package aamva

// Jurisdiction is the authority that issued a card.
type Jurisdiction struct {
	Code    string // state, province or territory code ("CA", "ON"); "" for the State Department
	Name    string
	Country string // ISO 3166 alpha-2
}

// LookupIIN finds the jurisdiction of an issuer identification number.
func LookupIIN(iin string) (Jurisdiction, bool) {
	j, ok := iins[iin]
	return j, ok
}

// iins is AAMVA's list of issuer identification numbers
// (https://www.aamva.org/identity/issuer-identification-numbers-(iin)).
var iins = map[string]Jurisdiction{
	"604426": {"PE", "Prince Edward Island", "CA"},
	"604427": {"AS", "American Samoa", "US"},
	"604428": {"QC", "Quebec", "CA"},
	"604429": {"YT", "Yukon", "CA"},
	"604430": {"MP", "Northern Mariana Islands", "US"},
	"604431": {"PR", "Puerto Rico", "US"},
	"604432": {"AB", "Alberta", "CA"},
	"604433": {"NU", "Nunavut", "CA"},
	"604434": {"NT", "Northwest Territories", "CA"},
	"636000": {"VA", "Virginia", "US"},
	"636001": {"NY", "New York", "US"},
	"636002": {"MA", "Massachusetts", "US"},
	"636003": {"MD", "Maryland", "US"},
	"636004": {"NC", "North Carolina", "US"},
	"636005": {"SC", "South Carolina", "US"},
	"636006": {"CT", "Connecticut", "US"},
	"636007": {"LA", "Louisiana", "US"},
	"636008": {"MT", "Montana", "US"},
	"636009": {"NM", "New Mexico", "US"},
	"636010": {"FL", "Florida", "US"},
	"636011": {"DE", "Delaware", "US"},
	"636012": {"ON", "Ontario", "CA"},
	"636013": {"NS", "Nova Scotia", "CA"},
	"636014": {"CA", "California", "US"},
	"636015": {"TX", "Texas", "US"},
	"636016": {"NL", "Newfoundland and Labrador", "CA"},
	"636017": {"NB", "New Brunswick", "CA"},
	"636018": {"IA", "Iowa", "US"},
	"636019": {"GU", "Guam", "US"},
	"636020": {"CO", "Colorado", "US"},
	"636021": {"AR", "Arkansas", "US"},
	"636022": {"KS", "Kansas", "US"},
	"636023": {"OH", "Ohio", "US"},
	"636024": {"VT", "Vermont", "US"},
	"636025": {"PA", "Pennsylvania", "US"},
	"636026": {"AZ", "Arizona", "US"},
	"636027": {"", "US Department of State", "US"},
	"636028": {"BC", "British Columbia", "CA"},
	"636029": {"OR", "Oregon", "US"},
	"636030": {"MO", "Missouri", "US"},
	"636031": {"WI", "Wisconsin", "US"},
	"636032": {"MI", "Michigan", "US"},
	"636033": {"AL", "Alabama", "US"},
	"636034": {"ND", "North Dakota", "US"},
	"636035": {"IL", "Illinois", "US"},
	"636036": {"NJ", "New Jersey", "US"},
	"636037": {"IN", "Indiana", "US"},
	"636038": {"MN", "Minnesota", "US"},
	"636039": {"NH", "New Hampshire", "US"},
	"636040": {"UT", "Utah", "US"},
	"636041": {"ME", "Maine", "US"},
	"636042": {"SD", "South Dakota", "US"},
	"636043": {"DC", "District of Columbia", "US"},
	"636044": {"SK", "Saskatchewan", "CA"},
	"636045": {"WA", "Washington", "US"},
	"636046": {"KY", "Kentucky", "US"},
	"636047": {"HI", "Hawaii", "US"},
	"636048": {"MB", "Manitoba", "CA"},
	"636049": {"NV", "Nevada", "US"},
	"636050": {"ID", "Idaho", "US"},
	"636051": {"MS", "Mississippi", "US"},
	"636052": {"RI", "Rhode Island", "US"},
	"636053": {"TN", "Tennessee", "US"},
	"636054": {"NE", "Nebraska", "US"},
	"636055": {"GA", "Georgia", "US"},
	"636056": {"CU", "Coahuila", "MX"},
	"636057": {"HL", "Hidalgo", "MX"},
	"636058": {"OK", "Oklahoma", "US"},
	"636059": {"AK", "Alaska", "US"},
	"636060": {"WY", "Wyoming", "US"},
	"636061": {"WV", "West Virginia", "US"},
	"636062": {"VI", "US Virgin Islands", "US"},
}
