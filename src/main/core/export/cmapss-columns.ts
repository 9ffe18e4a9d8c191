/**
 * Physical meaning and units of the C-MAPSS columns (Saxena et al., "Damage Propagation Modeling for
 * Aircraft Engine Run-to-Failure Simulation", PHM 2008, table of the 21 sensor outputs; operating
 * settings: altitude, Mach number, throttle resolver angle). Used for datasets in C-MAPSS layout.
 */
export interface ColumnDoc {
  readonly description: string;
  readonly unit?: string;
}

export const CMAPSS_COLUMN_INFO: Readonly<Record<string, ColumnDoc>> = {
  setting1: { description: 'operating setting 1 (altitude)', unit: 'kft' },
  setting2: { description: 'operating setting 2 (Mach number)', unit: 'Mach' },
  setting3: { description: 'operating setting 3 (throttle resolver angle, TRA)', unit: '%' },
  s1: { description: 'T2, total temperature at fan inlet', unit: '°R' },
  s2: { description: 'T24, total temperature at LPC outlet', unit: '°R' },
  s3: { description: 'T30, total temperature at HPC outlet', unit: '°R' },
  s4: { description: 'T50, total temperature at LPT outlet', unit: '°R' },
  s5: { description: 'P2, pressure at fan inlet', unit: 'psia' },
  s6: { description: 'P15, total pressure in bypass duct', unit: 'psia' },
  s7: { description: 'P30, total pressure at HPC outlet', unit: 'psia' },
  s8: { description: 'Nf, physical fan speed', unit: 'rpm' },
  s9: { description: 'Nc, physical core speed', unit: 'rpm' },
  s10: { description: 'epr, engine pressure ratio (P50/P2)', unit: 'dimensionless' },
  s11: { description: 'Ps30, static pressure at HPC outlet', unit: 'psia' },
  s12: { description: 'phi, ratio of fuel flow to Ps30', unit: 'pps/psi' },
  s13: { description: 'NRf, corrected fan speed', unit: 'rpm' },
  s14: { description: 'NRc, corrected core speed', unit: 'rpm' },
  s15: { description: 'BPR, bypass ratio', unit: 'dimensionless' },
  s16: { description: 'farB, burner fuel-air ratio', unit: 'dimensionless' },
  s17: { description: 'htBleed, bleed enthalpy', unit: 'dimensionless' },
  s18: { description: 'Nf_dmd, demanded fan speed', unit: 'rpm' },
  s19: { description: 'PCNfR_dmd, demanded corrected fan speed', unit: 'rpm' },
  s20: { description: 'W31, HPT coolant bleed', unit: 'lbm/s' },
  s21: { description: 'W32, LPT coolant bleed', unit: 'lbm/s' },
};
