package replay

// Typology names a kind of market abuse. Labels (scenarios) and alerts (detectors)
// share these names, which is why the type lives here, below both.
type Typology string

// The typologies tapetest knows. Specs and files use these strings.
const (
	WashTrading         Typology = "wash_trading"
	Spoofing            Typology = "spoofing" // includes layering
	PumpAndDump         Typology = "pump_and_dump"
	FlashCrash          Typology = "flash_crash"
	QuoteStuffing       Typology = "quote_stuffing"
	MomentumIgnition    Typology = "momentum_ignition"
	MarkingTheClose     Typology = "marking_the_close"
	SybilCluster        Typology = "sybil_cluster"
	LiquidationSuicide  Typology = "liquidation_suicide"
	IndexManipulation   Typology = "index_manipulation"
	LiquidationCascade  Typology = "liquidation_cascade"
	OffsettingPositions Typology = "offsetting_positions"
)

// Typologies lists every known typology in a fixed order (reports use this order).
var Typologies = []Typology{
	WashTrading, Spoofing, PumpAndDump, FlashCrash, QuoteStuffing, MomentumIgnition,
	MarkingTheClose, SybilCluster, LiquidationSuicide, IndexManipulation, LiquidationCascade,
	OffsettingPositions,
}
