/**
 * TODO(#3): planner for the gateways components (being written).
 */
import type { ComponentPlanner } from './component.ts';

export const planGateways: ComponentPlanner = () => [];
